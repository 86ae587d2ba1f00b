package dialogs

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// submitForm presses label on card r, checks that a form opened, and
// submits values to it as user.
func submitForm(t *testing.T, s *Service, r Reply, label, user string, values map[string]string) Reply {
	t.Helper()
	form := press(t, s, r, label, user, "")
	if form.Form == nil {
		t.Fatalf("%q opened no form: %s", label, body(form))
	}
	out, err := s.Click(context.Background(), testFirm, Event{User: user, Channel: "C1", Values: values, Submitted: true}, form.FormToken)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func waitValues(who, ref, day string) map[string]string {
	return map[string]string{WaitWho: who, WaitRef: ref, WaitFollowUp: day}
}

func hasLabel(r Reply, label string) bool {
	for _, a := range r.Actions {
		if a.Label == label {
			return true
		}
	}
	return false
}

func TestWaitFormFields(t *testing.T) {
	s, _ := newService(t)
	form := press(t, s, command(t, s, "U1", ""), "Waiting on someone…", "U1", "")
	if form.Form == nil || len(form.Form.Fields) != 3 {
		t.Fatalf("want a form with three fields, got %+v", form.Form)
	}
	f := form.Form.Fields
	if f[0].ID != WaitWho || f[0].Optional || f[1].ID != WaitRef || !f[1].Optional || f[2].Kind != FieldDate {
		t.Errorf("fields = %+v", f)
	}
	if f[2].Value != "2026-12-01" {
		t.Errorf("follow-up defaults to %q, want a week ahead (2026-12-01)", f[2].Value)
	}
}

func TestWaitSetChangeClear(t *testing.T) {
	s, m := newService(t)
	card := submitForm(t, s, command(t, s, "U1", ""), "Waiting on someone…", "U1", waitValues("  Example   Clearing LLC ", "T-1", "2026-12-01"))
	for _, want := range []string{"Waiting on Example Clearing LLC since November 24, 2026", "Reference: T-1", "Follow-up: December 1, 2026 — 7 days left"} {
		if !strings.Contains(body(card), want) {
			t.Errorf("card lacks %q:\n%s", want, body(card))
		}
	}
	if !strings.Contains(card.Public, "is waiting on Example Clearing LLC") || !hasLabel(card, "Clear wait") || !hasLabel(card, "Waiting on: change…") {
		t.Errorf("public %q, buttons %v", card.Public, labels(card))
	}
	e := trail(m)[0]
	if e.Action != ActWait || e.Step != "obligation" || e.Detail != "set: waiting on Example Clearing LLC (reference: T-1), follow-up 2026-12-01" {
		t.Errorf("entry = %+v", e)
	}
	since := stored(m).Waits["obligation"].Since

	// Bob changes the follow-up date: still the same party, same since.
	card = submitForm(t, s, card, "Waiting on: change…", "U2", waitValues("Example Clearing LLC", "T-1", "2026-12-03"))
	if w := stored(m).Waits["obligation"]; !w.Since.Equal(since) || w.FollowUp != "2026-12-03" || len(stored(m).Waits) != 1 {
		t.Errorf("changed wait = %+v", stored(m).Waits)
	}
	if e := trail(m)[1]; e.Action != ActWait || !strings.HasPrefix(e.Detail, "changed: ") || e.User != "U2" {
		t.Errorf("change entry = %+v", e)
	}
	// Another party is a new wait (one per step): since moves.
	card = submitForm(t, s, card, "Waiting on: change…", "U2", waitValues("CAT Helpdesk", "", "2026-12-03"))
	if w := stored(m).Waits["obligation"]; w.Who != "CAT Helpdesk" || w.Since.Equal(since) || len(stored(m).Waits) != 1 {
		t.Errorf("new party: %+v", stored(m).Waits)
	}

	card = press(t, s, card, "Clear wait", "U1", "")
	if strings.Contains(body(card), "Waiting on") || hasLabel(card, "Clear wait") || len(stored(m).Waits) != 0 {
		t.Errorf("after clearing: %s %v %+v", body(card), labels(card), stored(m).Waits)
	}
	if e := trail(m)[3]; e.Action != ActWaitEnd || !strings.HasPrefix(e.Detail, "cleared: waiting on CAT Helpdesk") {
		t.Errorf("clear entry = %+v", e)
	}
	hist := body(command(t, s, "U1", "history"))
	for _, want := range []string{"set a wait on Step 1: waiting on Example Clearing LLC", "changed the wait on Step 1", "cleared the wait on Step 1"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
}

func TestWaitFormRejectsBadInput(t *testing.T) {
	for _, c := range []struct {
		name, who, day, field string
	}{
		{"no one", "  ", "2026-12-01", WaitWho},
		{"no date", "FINRA CAT", "", WaitFollowUp},
		{"not a real date", "FINRA CAT", "2027-02-30", WaitFollowUp},
		{"US order", "FINRA CAT", "12/01/2026", WaitFollowUp},
		{"short", "FINRA CAT", "2026-12-1", WaitFollowUp},
		{"past", "FINRA CAT", "2026-11-23", WaitFollowUp},
		{"years ahead", "FINRA CAT", "2031-01-01", WaitFollowUp},
		{"too long", strings.Repeat("x", maxWaitWho+1), "2026-12-01", WaitWho},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, m := newService(t)
			before := stored(m)
			r := submitForm(t, s, command(t, s, "U1", ""), "Waiting on someone…", "U1", waitValues(c.who, "", c.day))
			if r.Form == nil || r.FormError == "" || r.FormField != c.field {
				t.Fatalf("want the form back with an error on %s, got form=%v error=%q field=%q", c.field, r.Form != nil, r.FormError, r.FormField)
			}
			if f, _ := r.Form.Field(WaitWho); f.Value != c.who {
				t.Errorf("who not refilled: %q", f.Value)
			}
			unchanged(t, m, before, 0)
		})
	}
}

func TestWaitEndsWhenTheStepIsConfirmed(t *testing.T) {
	s, m := newService(t)
	card := submitForm(t, s, command(t, s, "U1", ""), "Waiting on someone…", "U1", waitValues("CAT Helpdesk", "", "2026-12-01"))
	card = press(t, s, card, "Yes", "U1", "")
	if len(stored(m).Waits) != 0 {
		t.Errorf("wait survived the confirmation: %+v", stored(m).Waits)
	}
	tr := trail(m)
	if len(tr) != 2 || tr[1].Action != ActConfirm || !strings.HasSuffix(tr[1].Detail, "; ended the wait: waiting on CAT Helpdesk, follow-up 2026-12-01 since 2026-11-24T15:03:00Z") {
		t.Errorf("confirmation entry = %+v", tr[len(tr)-1])
	}
	if strings.Contains(body(card), "Waiting on") || strings.Contains(body(command(t, s, "U1", "status")), "Waiting on") {
		t.Error("an ended wait is still shown")
	}
	// History words the stored instant for people, in the zone of its
	// own times.
	if h := body(command(t, s, "U1", "history")); !strings.Contains(h, "since Nov 24, 2026 10:03 AM EST") || strings.Contains(h, "T15:03:00Z") {
		t.Errorf("history of the ended wait:\n%s", h)
	}
	if len(s.Flow.FollowUps(stored(m))) != 0 {
		t.Error("an ended wait still has a follow-up")
	}
}

func TestWaitFromAStaleCardChangesNothing(t *testing.T) {
	s, m := newService(t)
	card := command(t, s, "U1", "")
	form := press(t, s, card, "Waiting on someone…", "U1", "")
	press(t, s, card, "Yes", "U2", "") // Step 1 confirmed meanwhile
	before := stored(m)
	r, err := s.Click(context.Background(), testFirm, Event{User: "U1", Values: waitValues("CAT Helpdesk", "", "2026-12-01"), Submitted: true}, form.FormToken)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body(r), "Nothing was changed") || !strings.HasPrefix(r.Title, "Step 2") {
		t.Errorf("stale submission: %s", body(r))
	}
	unchanged(t, m, before, 1)
	if len(stored(m).Waits) != 0 {
		t.Error("a stale form set a wait")
	}
}

func TestWaitSubmittedTwiceIsOneChange(t *testing.T) {
	s, m := newService(t)
	form := press(t, s, command(t, s, "U1", ""), "Waiting on someone…", "U1", "")
	for range 2 {
		if _, err := s.Click(context.Background(), testFirm, Event{User: "U1", Values: waitValues("CAT Helpdesk", "", "2026-12-01"), Submitted: true}, form.FormToken); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(trail(m)); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
}

func TestWaitInStatusAndButtons(t *testing.T) {
	s, _ := newService(t)
	card := command(t, s, "U1", "")
	for _, a := range card.Actions {
		wantSecondary := a.Label == "Not sure" || strings.HasPrefix(a.Label, "Waiting on") || a.Label == "Add evidence"
		if a.Secondary != wantSecondary || (a.Secondary && a.Style == Primary) {
			t.Errorf("%q: secondary=%v style=%q", a.Label, a.Secondary, a.Style)
		}
	}
	submitForm(t, s, card, "Waiting on someone…", "U1", waitValues("CAT Helpdesk", "HD-7", "2026-12-01"))
	st := body(command(t, s, "U1", "status"))
	if !strings.Contains(st, "↳ Waiting on CAT Helpdesk since November 24, 2026 · reference HD-7 · follow-up December 1, 2026") {
		t.Errorf("status:\n%s", st)
	}
}

func TestResetEndsWaits(t *testing.T) {
	s, m := newService(t)
	submitForm(t, s, command(t, s, "U1", ""), "Waiting on someone…", "U1", waitValues("CAT Helpdesk", "", "2026-12-01"))
	press(t, s, command(t, s, admin, "reset"), "Reset all progress", admin, "")
	if len(stored(m).Waits) != 0 || !strings.HasSuffix(trail(m)[1].Detail, "and 1 wait") {
		t.Errorf("after reset: %+v, %q", stored(m).Waits, trail(m)[1].Detail)
	}
}

func TestProgressWithoutWaitsKeepsItsEncoding(t *testing.T) {
	old := `{"v":3,"cur":"register","opened":2,"path":[{"step":"obligation","choice":"yes","user":"U1","at":"2026-11-24T15:00:00Z"}],"seq":2,"head":"ab"}`
	var p Progress
	if err := json.Unmarshal([]byte(old), &p); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p)
	if string(b) != old || p.Waits != nil {
		t.Errorf("round trip:\n got %s\nwant %s", b, old)
	}
}

func TestStartWaitAndFollowUp(t *testing.T) {
	f := newFlow()
	p := Progress{Version: 4, Current: "register"}
	ev := Event{User: "U1", At: t0}
	detail := StartWait(&p, "register", "FINRA CAT", "REF-9", "2026-12-02", ev)
	if detail != "waiting on FINRA CAT (reference: REF-9), follow-up 2026-12-02" {
		t.Errorf("detail = %q", detail)
	}
	fu := f.FollowUps(p)
	if len(fu) != 1 || fu[0].Kind != KindFollowUp || len(fu[0].Leads()) != 1 || fu[0].Leads()[0] != 0 || fu[0].Day.Format(time.DateOnly) != "2026-12-02" {
		t.Fatalf("follow-ups = %+v", fu)
	}
	r := f.Reminder(p, fu[0], t0)
	text := body(r)
	for _, want := range []string{"Step 2: Register for CAT CAIS", "waiting on FINRA CAT since November 24, 2026", "Reference: REF-9", "@{U1}"} {
		if !strings.Contains(text, want) {
			t.Errorf("reminder lacks %q:\n%s", want, text)
		}
	}
	if len(r.Actions) != 1 || r.Actions[0].Label != "Open Step 2" {
		t.Errorf("reminder buttons %v", labels(r))
	}
	if p.Waits = nil; len(f.FollowUps(p)) != 0 {
		t.Error("follow-up without a wait")
	}
}

func TestStaleClickAfterAWaitNamesIt(t *testing.T) {
	s, _ := newService(t)
	old := command(t, s, "U1", "")
	press(t, s, old, "Yes", "U1", "")
	card := command(t, s, admin, "undo")
	submitForm(t, s, card, "Waiting on someone…", "U1", waitValues("CAT Helpdesk", "", "2026-12-01"))
	r := press(t, s, old, "Yes", "U2", "")
	if !strings.Contains(body(r), "latest change: @{U1} noted what Step 1 is waiting on") {
		t.Errorf("stale click:\n%s", body(r))
	}
}
