package dialogs

import (
	"context"
	"strings"
	"testing"
)

// clickAs presses label on r as user, submitting values when given.
func clickAs(t *testing.T, s *Service, r Reply, label, user string, values map[string]string) Reply {
	t.Helper()
	for _, a := range r.Actions {
		if a.Label == label {
			out, err := s.Click(context.Background(), testFirm, Event{User: user, Channel: "C1", Values: values, Submitted: values != nil}, a.Value)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	t.Fatalf("card %q has no button %q (has %v)", r.Title, label, labels(r))
	return Reply{}
}

func TestTargetDateFormIsForAdmins(t *testing.T) {
	s, m := newService(t)
	for _, who := range []string{"U1", admin} {
		card := command(t, s, who, "")
		has := hasLabel(card, "Set target date…")
		if has != (who == admin) {
			t.Errorf("%s sees the target-date button: %v", who, has)
		}
	}
	card := command(t, s, admin, "")
	form := clickAs(t, s, card, "Set target date…", admin, nil)
	if form.Form == nil || form.Form.Fields[0].Kind != FieldDate {
		t.Fatalf("the target-date button opens %q, want a date form", form.Title)
	}
	if bad := clickAs(t, s, card, "Set target date…", admin, map[string]string{"date": "2020-01-01"}); !strings.Contains(bad.FormError, "has already passed") {
		t.Fatalf("a past date: %q", bad.FormError)
	}
	set := clickAs(t, s, card, "Set target date…", admin, map[string]string{"date": "2027-06-05"})
	if set.Title != "Target date set" || stored(m).Targets["obligation"] != "2027-06-05" {
		t.Fatalf("submitting the date: %q, targets %v", set.Title, stored(m).Targets)
	}
	if !hasLabel(command(t, s, admin, ""), "Target date: change…") {
		t.Error("with a target set the button should offer to change it")
	}
	// A non-admin holding an admin's card is refused, and nothing changes.
	before := len(m.entries["F1"])
	if r := clickAs(t, s, card, "Set target date…", "U1", map[string]string{"date": "2027-07-01"}); r.Title != "Admins only" || len(m.entries["F1"]) != before {
		t.Fatalf("non-admin: %q", r.Title)
	}
}

func TestEditAgentsWithoutUndoing(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved", "Agent certified")
	if !hasLabel(card, "Edit agents…") {
		t.Fatalf("no Edit agents button on %q", card.Title)
	}
	form := clickAs(t, s, card, "Edit agents…", "U2", nil)
	if form.Form == nil || form.Form.Fields[0].Value != "Acme Clearing LLC\nBureau Co" {
		t.Fatalf("the form does not show the current list: %+v", form.Form)
	}
	out := clickAs(t, s, card, "Edit agents…", "U2", map[string]string{"agents": "Acme Clearing LLC\nNorthwind Bureau"})
	p := stored(m)
	if got := strings.Join(p.Agents(), "|"); got != "Acme Clearing LLC|Northwind Bureau" || p.Current != "certify_agent_request" {
		t.Fatalf("agents %q, current %q", got, p.Current)
	}
	if !strings.Contains(out.Public, "changed the firm's CAT Reporting Agents to **Acme Clearing LLC**, **Northwind Bureau** (they were **Acme Clearing LLC**, **Bureau Co**)") {
		t.Errorf("public line %q", out.Public)
	}
	// Acme stays certified; the new agent is the one 6(A) asks about next.
	if text := body(command(t, s, "U1", "")); !strings.Contains(text, "has **Northwind Bureau** certified") {
		t.Errorf("6(A) does not ask about the new agent:\n%s", text)
	}
	e := m.entries["F1"][len(m.entries["F1"])-1]
	if e.Action != ActAgents || e.Detail != `now: ["Acme Clearing LLC","Northwind Bureau"]` {
		t.Errorf("audit entry %+v", e)
	}
	if h := body(command(t, s, "U1", "history")); !strings.Contains(h, "changed the CAT Reporting Agents (now: “Acme Clearing LLC”, “Northwind Bureau”)") {
		t.Errorf("history:\n%s", h)
	}
	// A form opened before that change would overwrite it unseen.
	n := len(m.entries["F1"])
	if r := clickAs(t, s, card, "Edit agents…", "U3", map[string]string{"agents": "Other Co"}); r.Title != "Agents not changed" || len(m.entries["F1"]) != n {
		t.Errorf("a stale agents form changed something: %q", r.Title)
	}
}
