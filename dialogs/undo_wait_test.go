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

// An agents edit that sends the firm back from the request ends the wait
// set on the request, and says so; replay reads the entry's marker.
func TestAgentsEditBackEndsTheWaitOfThePartLeft(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme", "Test relationships saved", "Agent certified")
	card = submitForm(t, s, card, "Waiting on someone…", "U1", waitValues("Our compliance counsel", "", "2026-12-21"))
	out := clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: "Acme\nNew Agent Co"})
	p := stored(m)
	if p.Current != "certify_agent_request" || len(p.Waits) != 0 || len(s.Flow.FollowUps(p)) != 0 {
		t.Errorf("after the edit: current %q, waits %+v", p.Current, p.Waits)
	}
	if e := trail(m)[len(trail(m))-1]; !strings.HasSuffix(e.Detail, "; back to: certify_agent_request; ended the wait on certify_agent_requested") {
		t.Errorf("agents entry %q", e.Detail)
	}
	if !strings.Contains(out.Public, "The wait set on the part it left ends with it.") {
		t.Errorf("channel line %q", out.Public)
	}
	assertReplaysTo(t, s.Flow, p, trail(m))
}

// An undo written before undos ended waits (no marker) replays as it was
// written: the wait it left stays in the record, and is not followed up.
func TestUndoWrittenBeforeTheMarkerKeepsItsWait(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme", "Test relationships saved", "Agent certified", "Certification requested|ref=HD-1;follow_up=2026-12-20")
	w := stored(m).Waits["certify_agent_finra"]
	command(t, s, admin, "undo")
	entries := trail(m)
	old := &entries[len(entries)-1]
	old.Detail = strings.TrimSuffix(old.Detail, "; ended the wait on certify_agent_finra")
	p := stored(m)
	p.Waits = map[string]Wait{"certify_agent_finra": w} // as the earlier build left it
	assertReplaysTo(t, s.Flow, p, entries)
	if n := len(s.Flow.FollowUps(p)); n != 0 {
		t.Errorf("the wait left on a step the firm is not on is followed up (%d)", n)
	}
	// Status shows it, and that it is not followed up.
	m.mu.Lock()
	m.p["F1"] = p
	m.mu.Unlock()
	if st := body(command(t, s, "U1", "status")); !strings.Contains(st, "Waiting on FINRA CAT") || !strings.Contains(st, "· not followed up: the firm is not on this step") {
		t.Errorf("status:\n%s", st)
	}
}

// A reset after a "No" and its reopening counts what it cleared as its
// prompt counted it, and says how many answers the path held in all.
func TestResetEntryCountsAsItsPrompt(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "No", "Reopen Step 1", "Yes", "Registration submitted")
	prompt := command(t, s, admin, "reset")
	if !strings.Contains(body(prompt), "(2 steps confirmed so far)") {
		t.Fatalf("prompt: %s", body(prompt))
	}
	press(t, s, prompt, "Reset all progress", admin, "")
	if e := trail(m)[len(trail(m))-1]; e.Detail != "cleared 2 confirmations (4 answers recorded in all, superseded ones included)" {
		t.Errorf("reset entry %q", e.Detail)
	}
}

// Undoing an outcome's answer ("Reopen Step 1") is recorded as a return
// to the outcome, not as a reopening of it; an undone approved answer
// names its approver in the entry too.
func TestUndoWordsWhatItWithdrew(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "No", "Reopen Step 1")
	out := command(t, s, admin, "undo")
	e := trail(m)[len(trail(m))-1]
	if !strings.HasPrefix(e.Detail, "returned to Step 1 answered: the firm reports no events containing an FDID (withdrew: Reopen Step 1, by U1 at ") ||
		!strings.Contains(out.Public, "withdrew “Reopen Step 1” (chosen by @{U1} on ") || !strings.Contains(out.Public, "the firm is back at **Step 1 answered") {
		t.Errorf("entry %q, line %q", e.Detail, out.Public)
	}
	if h := body(command(t, s, "U1", "history")); !strings.Contains(h, "undid: returned to Step 1 answered") {
		t.Errorf("history:\n%s", h)
	}
	assertReplaysTo(t, s.Flow, stored(m), trail(m))

	a, am := newService(t)
	a.Flow.Principals = []string{carol}
	card := press(t, a, command(t, a, "U1", ""), "No", "U1", "")
	press(t, a, card, "Approve", carol, "")
	command(t, a, admin, "undo")
	if e := trail(am)[len(trail(am))-1]; !strings.Contains(e.Detail, ", approved by UCAROL at ") {
		t.Errorf("undo of an approved answer: %q", e.Detail)
	}
	assertReplaysTo(t, a.Flow, stored(am), trail(am))
}

// After the day's reminders have gone out, a follow-up today would never
// be sent: the wait form and the certification request refuse it.
func TestFollowUpTodayAfterTheRemindersIsRefused(t *testing.T) {
	s, m := newService(t) // its clock: Nov 24, 2026, after 10:00 in New York
	card := submitForm(t, s, command(t, s, "U1", ""), "Waiting on someone…", "U1", waitValues("CAT Helpdesk", "", "2026-11-24"))
	if card.Form == nil || !strings.Contains(card.FormError+formMoreText(card), "Today's reminders went out at 09:00 (America/New_York), so a follow-up today would never be sent.") || len(stored(m).Waits) != 0 {
		t.Errorf("a follow-up today: form %v, error %q %v, waits %v", card.Form != nil, card.FormError, card.FormMore, stored(m).Waits)
	}
	submitForm(t, s, command(t, s, "U1", ""), "Waiting on someone…", "U1", waitValues("CAT Helpdesk", "", "2026-11-25"))
	if len(stored(m).Waits) != 1 {
		t.Errorf("a follow-up tomorrow was refused: %v", stored(m).Waits)
	}
}

func formMoreText(r Reply) string {
	var b strings.Builder
	for _, e := range r.FormMore {
		b.WriteString(e.Message)
	}
	return b.String()
}

// The card that answers an admin's wait form (or Clear wait) is drawn
// for that admin, with the admin's buttons, like any other answer.
func TestWaitAnswerCardKeepsTheAdminsButtons(t *testing.T) {
	s, _ := newService(t)
	card := submitForm(t, s, command(t, s, admin, ""), "Waiting on someone…", admin, waitValues("CAT Helpdesk", "", "2026-11-30"))
	if !hasLabel(card, "Set target date…") {
		t.Errorf("after the wait form: %v", labels(card))
	}
	if card = press(t, s, card, "Clear wait", admin, ""); !hasLabel(card, "Set target date…") {
		t.Errorf("after Clear wait: %v", labels(card))
	}
}
