package dialogs

import (
	"slices"
	"strings"
	"testing"
)

// waitTexts are the packet's wait lines for step, in order; shown is
// false when the packet does not show the step.
func waitTexts(t *testing.T, s *Service, step string) (out []string, shown bool) {
	t.Helper()
	pk := &fakePackager{}
	s.Packager = pk
	command(t, s, "U1", "packet")
	i := slices.IndexFunc(pk.in.Steps, func(p PacketStep) bool { return p.ID == step })
	if i < 0 {
		return nil, false
	}
	for _, w := range pk.in.Steps[i].Waits {
		out = append(out, w.Text)
	}
	return out, true
}

// The summary shows each wait's end, whatever ended it, so no wait
// reads as still set once it is not.
func TestPacketShowsEveryWaitsEnd(t *testing.T) {
	toRequest := []string{"Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme", "Test relationships saved", "Agent certified"}
	for _, tc := range []struct {
		name  string
		run   func(*testing.T, *Service)
		step  string
		wants []string // each a prefix of the step's wait lines, in order; nil: step not shown
	}{
		{"an undo takes the firm off the step", func(t *testing.T, s *Service) {
			walk(t, s, append(toRequest, "Certification requested|ref=HD-FIRST;follow_up=2026-12-20")...)
			command(t, s, admin, "undo")
			press(t, s, command(t, s, "U1", ""), "Certification requested", "U1", "ref=HD-SECOND;follow_up=2026-12-21")
		}, "certify_agent_finra", []string{"Set: waiting on FINRA CAT (reference: HD-FIRST)", "Ended: the undo took the firm off this step", "Set: waiting on FINRA CAT (reference: HD-SECOND)"}},
		{"a reset", func(t *testing.T, s *Service) {
			card := walk(t, s, "Yes")
			card = submitForm(t, s, card, "Waiting on someone…", "U1", waitValues("Our IT", "", "2026-12-20"))
			submitForm(t, s, card, "Add evidence", "U1", map[string]string{EvidenceRef: "T-1"})
			press(t, s, command(t, s, admin, "reset"), "Reset all progress", admin, "")
		}, "register", []string{"Set: waiting on Our IT", "Ended by the reset"}},
		{"an agents change sends the firm back", func(t *testing.T, s *Service) {
			card := walk(t, s, toRequest...)
			card = submitForm(t, s, card, "Waiting on someone…", "U1", waitValues("Counsel", "", "2026-12-20"))
			card = submitForm(t, s, card, "Add evidence", "U1", map[string]string{EvidenceRef: "T-2"}) // so the part left is shown
			clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: "Acme\nNew Co"})
		}, "certify_agent_requested", []string{"Set: waiting on Counsel", "Ended: an agents change sent the firm back"}},
		{"an agents change sends the firm back from a part that keeps nothing", func(t *testing.T, s *Service) {
			card := walk(t, s, toRequest...)
			card = submitForm(t, s, card, "Waiting on someone…", "U1", waitValues("Counsel", "", "2026-12-20"))
			clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: "Acme\nNew Co"})
		}, "certify_agent_requested", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newService(t)
			tc.run(t, s)
			got, shown := waitTexts(t, s, tc.step)
			if shown != (tc.wants != nil) || len(got) != len(tc.wants) {
				t.Fatalf("wait lines %q, want %d", got, len(tc.wants))
			}
			for i, w := range tc.wants {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("wait line %d %q, want it to begin %q", i, got[i], w)
				}
			}
		})
	}
}
