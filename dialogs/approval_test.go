package dialogs

import (
	"slices"
	"strings"
	"testing"
)

// Maker-checker: answers marked approval: true, with principals set.

const (
	carol = "UCAROL"
	dave  = "UDAVE"
)

// newApprovalService is newService with Carol and Dave as principals.
func newApprovalService(t *testing.T) (*Service, *memStore) {
	t.Helper()
	s, m := newService(t)
	s.Flow.Principals = []string{carol, dave}
	return s, m
}

// toMethod walks to Step 4 as U1.
func toMethod(t *testing.T, s *Service) Reply {
	t.Helper()
	return walk(t, s, "Yes", "Registration submitted", "Test entitlements granted")
}

// walkApproved is walk, with every answer that awaits approval approved
// by Dave.
func walkApproved(t *testing.T, s *Service, steps ...string) Reply {
	t.Helper()
	card := command(t, s, "U1", "")
	for _, st := range steps {
		label, input, _ := strings.Cut(st, "|")
		card = press(t, s, card, label, "U1", input)
		if hasLabel(card, "Approve") {
			card = press(t, s, card, "Approve", dave, "")
		}
	}
	return card
}

func lastEntry(m *memStore) Entry {
	tr := trail(m)
	return tr[len(tr)-1]
}

func TestEmbeddedRoadmapMarksTheAnswersThatNeedApproval(t *testing.T) {
	var got []string
	r := Default()
	for _, s := range r.all() {
		for _, c := range s.Choices {
			if c.Approval {
				got = append(got, s.ID+"/"+c.ID)
			}
		}
	}
	want := []string{"obligation/no", "method/agent", "method/self_manual", "method/self_upload", "certify_self/done", "certify_agent_requested/requested"}
	if !slices.Equal(got, want) {
		t.Errorf("answers needing approval: %v, want %v", got, want)
	}
}

// Without principals every journey is what it was: no answer awaits
// approval, no entry is a submission.
func TestNoPrincipalsNoApproval(t *testing.T) {
	for _, j := range journeys {
		t.Run(j.name, func(t *testing.T) {
			s, m := newService(t)
			j.run(t, s)
			for _, e := range trail(m) {
				if e.Action == ActSubmit || e.Action == ActApprove || e.Action == ActSendBack {
					t.Errorf("entry %d is %q", e.Seq, e.Action)
				}
			}
			if p := stored(m); p.Pending != nil || p.SentBack != nil {
				t.Errorf("pending %+v, sent back %+v", p.Pending, p.SentBack)
			}
		})
	}
	s, _ := newService(t)
	if card := walk(t, s, "No"); card.Title != "Step 1 answered: the firm reports no events containing an FDID" {
		t.Errorf("No without principals: %q", card.Title)
	}
}

func TestSubmitAwaitsApproval(t *testing.T) {
	s, m := newApprovalService(t)
	card := press(t, s, toMethod(t, s), "CAT Reporting Agent", "U1", "Acme Clearing LLC\nBureau Co")
	text := body(card)
	if card.Title != "Step 4: Determine how the firm will submit data to CAT CAIS" ||
		!strings.Contains(text, "⏳ **Awaits approval.** @{U1} confirmed “CAT Reporting Agent” on Nov 24, 2026") ||
		!strings.Contains(text, "(agents: **Acme Clearing LLC**, **Bureau Co**)") ||
		!strings.Contains(text, "A principal other than @{U1} approves it or sends it back: @{UCAROL}, @{UDAVE}.") {
		t.Fatalf("card after submitting:\n%s", text)
	}
	if l := labels(card); !slices.Equal(l[:2], []string{"Approve", "Send back"}) || slices.Contains(l, "Self-report: manual entry") {
		t.Errorf("buttons: %v", l)
	}
	if !strings.Contains(card.Public, "@{U1} confirmed **Step 4: Determine how the firm will submit data to CAT CAIS** (answer: CAT Reporting Agent); it awaits approval by a principal: @{UCAROL}, @{UDAVE}.") {
		t.Errorf("public line: %q", card.Public)
	}
	p, e := stored(m), lastEntry(m)
	if p.Current != "method" || len(p.Path) != 3 || p.Pending == nil || p.Pending.Confirmation.User != "U1" || !slices.Equal(p.Pending.Confirmation.Agents, []string{"Acme Clearing LLC", "Bureau Co"}) {
		t.Errorf("stored: current %q, path %d, pending %+v", p.Current, len(p.Path), p.Pending)
	}
	if e.Action != ActSubmit || e.Step != "method" || e.Choice != "agent" || e.Detail != `CAT Reporting Agent: ["Acme Clearing LLC","Bureau Co"]` || e.User != "U1" {
		t.Errorf("entry: %+v", e)
	}
	st := body(command(t, s, "U2", "status"))
	if !strings.Contains(st, "⏳ **Step 4: Determine how the firm will submit data to CAT CAIS** — awaits approval: CAT Reporting Agent, confirmed by @{U1} on Nov 24, 2026") ||
		!strings.Contains(st, "principals who can approve it: @{UCAROL}, @{UDAVE}") {
		t.Errorf("status:\n%s", st)
	}
	if again := command(t, s, "U2", ""); !hasLabel(again, "Approve") || !strings.Contains(body(again), "Awaits approval") {
		t.Errorf("the card shown again: %v\n%s", labels(again), body(again))
	}
}

func TestOnlyAnotherPrincipalMayApprove(t *testing.T) {
	tests := []struct {
		name, maker, who string
		principals       []string
		want             []string
	}{
		{"the maker", "U1", "U1", []string{carol, dave}, []string{"awaits approval", "Only a principal can approve it: @{UCAROL}, @{UDAVE}. You confirmed it, so you may send it back"}},
		{"a team member", "U1", "U2", []string{carol, dave}, []string{"Only a principal other than the person who confirmed it (@{U1}) can approve it: @{UCAROL}, @{UDAVE}."}},
		{"a principal who confirmed", carol, carol, []string{carol, dave}, []string{"You confirmed it, so another principal must approve it: @{UDAVE}."}},
		{"the only principal, who confirmed", carol, carol, []string{carol}, []string{"@{UCAROL} confirmed it and is the only principal, so no one can approve it yet", "one must be added first (`{cmd} principals` says who can add one, and how)", "@{UCAROL} can send it back", "`{cmd} undo`"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			s.Flow.Principals = tc.principals
			card := command(t, s, tc.maker, "")
			card = press(t, s, card, "No", tc.maker, "")
			before, n := stored(m), len(trail(m))
			r := press(t, s, card, "Approve", tc.who, "")
			for _, w := range tc.want {
				if r.Title != "Principals only" || !strings.Contains(body(r), w) || !strings.Contains(body(r), "Nothing was changed.") {
					t.Errorf("refusal lacks %q:\n%s", w, body(r))
				}
			}
			unchanged(t, m, before, n)
			if stored(m).Pending == nil {
				t.Error("the answer no longer awaits approval")
			}
		})
	}
}

// Approving makes the answer take effect exactly as a plain confirmation
// would have: the same path entry (plus the approver), branch, agents,
// next step and wait.
func TestApproveAdvancesAsAPlainConfirmWould(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []string // to the step, as U1
		click string
	}{
		{"Step 1 No", nil, "No"},
		{"Step 4 agents", []string{"Yes", "Registration submitted", "Test entitlements granted"}, "CAT Reporting Agent|Acme Clearing LLC\nBureau Co"},
		{"Step 4 self", []string{"Yes", "Registration submitted", "Test entitlements granted"}, "Self-report: file upload"},
		{"Step 6 self", []string{"Yes", "Registration submitted", "Test entitlements granted", "Self-report: manual entry"}, "Certified for production"},
		{"6(A) requested", []string{"Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme", "Test relationships saved", "Agent certified"}, "Certification requested|ref=HD-4711;follow_up=2026-12-20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain, pm := newService(t)
			walk(t, plain, append(slices.Clone(tc.steps), tc.click)...)
			s, m := newApprovalService(t)
			card := walkApproved(t, s, tc.steps...)
			label, input, _ := strings.Cut(tc.click, "|")
			card = press(t, s, card, label, "U1", input)
			submitted := stored(m).Pending.Confirmation
			out := press(t, s, card, "Approve", dave, "")
			got, want := stored(m), stored(pm)
			if got.Current != want.Current || out.Title != command(t, plain, "U1", "").Title {
				t.Errorf("current %q, a plain confirmation leads to %q", got.Current, want.Current)
			}
			g, w := got.Path[len(got.Path)-1], want.Path[len(want.Path)-1]
			if g.Step != w.Step || g.Choice != w.Choice || g.User != w.User || !slices.Equal(g.Agents, w.Agents) || g.Agent != w.Agent || w.Approver != "" {
				t.Errorf("path entry %+v, a plain confirmation's %+v", g, w)
			}
			if !g.At.Equal(submitted.At) || g.Approver != dave || !g.ApprovedAt.After(g.At) {
				t.Errorf("confirmed at %v (submitted %v), approved by %q at %v", g.At, submitted.At, g.Approver, g.ApprovedAt)
			}
			if len(got.Waits) != len(want.Waits) {
				t.Errorf("waits %+v, a plain confirmation's %+v", got.Waits, want.Waits)
			}
			for k, ww := range want.Waits {
				gw := got.Waits[k]
				if gw.Who != ww.Who || gw.Ref != ww.Ref || gw.FollowUp != ww.FollowUp || gw.User != "U1" || !gw.Since.Equal(submitted.At) {
					t.Errorf("wait of %s: %+v, a plain confirmation's %+v", k, gw, ww)
				}
			}
			if e := lastEntry(m); e.Action != ActApprove || e.User != dave || e.Detail != trail(pm)[len(trail(pm))-1].Detail {
				t.Errorf("entry %+v; a plain confirmation's detail %q", e, trail(pm)[len(trail(pm))-1].Detail)
			}
			if !strings.Contains(out.Public, "@{UDAVE} approved **") || !strings.Contains(out.Public, "confirmed by @{U1} on") {
				t.Errorf("public line: %q", out.Public)
			}
			assertReplaysTo(t, s.Flow, stored(m), trail(m))
		})
	}
}

// Undoing an approved step names both signatures in the channel line.
func TestUndoOfAnApprovedStepNamesTheApprover(t *testing.T) {
	s, _ := newApprovalService(t)
	walkApproved(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme")
	r, err := s.Command(t.Context(), testFirm, Event{User: admin, Channel: "C1"}, ParseCommand("undo"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Public, "(it had been confirmed by @{U1} on ") || !strings.Contains(r.Public, ", approved by @{UDAVE} on ") {
		t.Errorf("undo line %q names not both the confirmer and the approver", r.Public)
	}
}

// The sole principal's own answer waits for a principal who does not
// exist yet: the card and the channel line say how to get one, and how
// to withdraw the answer meanwhile.
func TestSolePrincipalsAnswerSaysHowToGetAnApprover(t *testing.T) {
	s, _ := newService(t)
	s.Flow.Principals = []string{carol}
	card := press(t, s, command(t, s, carol, ""), "No", carol, "")
	for _, want := range []string{
		"No principal other than @{UCAROL} can approve it yet: one must be added first (`{cmd} principals` says who can add one, and how).",
		"To withdraw it, @{UCAROL} can send it back, or an admin can with `{cmd} undo`.",
	} {
		if !strings.Contains(body(card), want) {
			t.Errorf("card lacks %q:\n%s", want, body(card))
		}
	}
	if !strings.Contains(card.Public, "none is configured yet: one must be added first (`{cmd} principals` says who can add one, and how)") {
		t.Errorf("channel line: %s", card.Public)
	}
}
