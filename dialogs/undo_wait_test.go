package dialogs

import (
	"strings"
	"testing"
)

// An undo that takes the firm off a step ends that step's wait, so no
// follow-up reminder outlives the withdrawn answer; the entry says so
// and replay agrees.
func TestUndoEndsTheWaitOfTheStepLeft(t *testing.T) {
	toRequest := []string{"Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme", "Test relationships saved", "Agent certified"}
	for _, tc := range []struct {
		name     string
		setup    func(*testing.T, *Service) // from the request card
		wantStep string
		wantLine string
	}{
		{"the wait a request starts", func(t *testing.T, s *Service) {
			press(t, s, command(t, s, "U1", ""), "Certification requested", "U1", "ref=HD-1;follow_up=2026-12-20")
		}, "certify_agent_finra", " The wait on FINRA CAT for Step 6(A) ends with it."},
		{"a wait set by hand on the next step", func(t *testing.T, s *Service) {
			press(t, s, command(t, s, "U1", ""), "Certification requested", "U1", "ref=HD-1;follow_up=2026-12-20")
			card := press(t, s, command(t, s, "U1", ""), "FINRA CAT certified the firm", "U1", "")
			submitForm(t, s, card, "Waiting on someone…", "U1", waitValues("Our IT team", "", "2026-12-21"))
		}, "prod_entitlements", " The wait on Our IT team for Step 6(B) ends with it."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			walk(t, s, toRequest...)
			tc.setup(t, s)
			if _, ok := stored(m).Waits[tc.wantStep]; !ok {
				t.Fatalf("no wait on %s before the undo: %+v", tc.wantStep, stored(m).Waits)
			}
			out := command(t, s, admin, "undo")
			p := stored(m)
			if len(p.Waits) != 0 || len(s.Flow.FollowUps(p)) != 0 {
				t.Errorf("after the undo: waits %+v, follow-ups %d", p.Waits, len(s.Flow.FollowUps(p)))
			}
			if e := trail(m)[len(trail(m))-1]; !strings.HasSuffix(e.Detail, "; ended the wait on "+tc.wantStep) {
				t.Errorf("undo entry %q", e.Detail)
			}
			if !strings.HasSuffix(out.Public, tc.wantLine) {
				t.Errorf("channel line %q, want it to end %q", out.Public, tc.wantLine)
			}
			assertReplaysTo(t, s.Flow, p, trail(m))
		})
	}
}
