package teams

import (
	"strings"
	"testing"
)

// submitFields fills the form card p's typed fields and submits it.
func (r *rig) submitFields(p posted, values map[string]string, u Account) posted {
	r.t.Helper()
	data := map[string]string{}
	for k, v := range p.Card.Actions[0].Data {
		data[k] = v
	}
	for k, v := range values {
		data[fieldPrefix+k] = v
	}
	return r.submit(p, data, u)
}

func inputsOf(c Card) map[string]Element {
	out := map[string]Element{}
	for _, e := range c.Body {
		if e.ID != "" {
			out[e.ID] = e
		}
	}
	return out
}

func TestWaitOnTeams(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	card := r.say(u, "")
	for _, label := range []string{"Yes", "Registration submitted", "Test entitlements granted"} {
		card = r.click(card, label, u)
	}
	// Step 4: three answers and "Need help"; the secondary ones are under More….
	form := r.click(card, "Waiting on someone…", u)
	in := inputsOf(form.Card)
	if in["caisField_follow_up"].Type != inputDate || in["caisField_who"].Type != inputText || !in["caisField_who"].IsRequired || in["caisField_ref"].IsRequired {
		t.Fatalf("wait form inputs: %+v", in)
	}
	if faults := validateCard(mustJSON(form.Card)); len(faults) != 0 {
		t.Fatalf("form card invalid: %v", faults)
	}
	bad := r.submitFields(form, map[string]string{"who": "Example Clearing", "ref": "", "follow_up": "2026-02-30"}, u)
	if !strings.Contains(cardString(bad.Card), "not a real date") || r.audit() != 3 {
		t.Fatalf("bad date: %s (audit %d)", cardString(bad.Card), r.audit())
	}
	// Every problem of a submission at once: no one named, a date passed.
	both := r.submitFields(bad, map[string]string{"who": "", "ref": "", "follow_up": "2026-01-04"}, u)
	if s := cardString(both.Card); !strings.Contains(s, "⚠️ Please fill in “Who are you waiting on?”.") || !strings.Contains(s, "⚠️ January 4, 2026 has already passed.") || r.audit() != 3 {
		t.Fatalf("two problems (audit %d): %s", r.audit(), s)
	}
	card = r.submitFields(both, map[string]string{"who": "Example Clearing", "ref": "T-1", "follow_up": "2026-12-04"}, u)
	s := cardString(card.Card)
	if !strings.Contains(s, "Waiting on Example Clearing since") || !strings.Contains(s, "Follow-up: December 4, 2026") || r.audit() != 4 {
		t.Fatalf("card after the wait (audit %d):\n%s", r.audit(), s)
	}
	assertMoreHoldsSecondaries(t, card.Card, []string{"Need help", "Waiting on: change…", "Clear wait", "Add evidence"})
	st := cardString(r.say(u, "status").Card)
	if !strings.Contains(st, "Waiting on Example Clearing since") {
		t.Errorf("status lacks the wait:\n%s", st)
	}
	card = r.click(card, "Clear wait", u)
	if strings.Contains(cardString(card.Card), "Waiting on Example") || r.audit() != 5 {
		t.Errorf("after clearing:\n%s", cardString(card.Card))
	}
}

func assertMoreHoldsSecondaries(t *testing.T, c Card, secondary []string) {
	t.Helper()
	if len(c.Actions) > maxActions {
		t.Errorf("%d top-level actions, Teams shows %d", len(c.Actions), maxActions)
	}
	last := c.Actions[len(c.Actions)-1]
	if last.Type != actionShowCard || last.Title != "More…" || last.Card == nil {
		t.Fatalf("last action is not More…: %+v", last)
	}
	var inner []string
	for _, a := range last.Card.Actions {
		inner = append(inner, a.Title)
	}
	if strings.Join(inner, "|") != strings.Join(secondary, "|") {
		t.Errorf("More… holds %v, want %v", inner, secondary)
	}
	for _, a := range c.Actions[:len(c.Actions)-1] {
		for _, s := range secondary {
			if a.Title == s {
				t.Errorf("%q is on top, not under More…", s)
			}
		}
	}
	if faults := validateCard(mustJSON(c)); len(faults) != 0 {
		t.Errorf("card invalid: %v", faults)
	}
}
