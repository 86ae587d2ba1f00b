package dialogs

import (
	"maps"
	"strings"
	"testing"
)

// A step in parts has one target: the card's button on a later part and
// `deadline 6A` set, show, change and clear the same one, and the card
// stops offering to set a target once it is set.
func TestOneTargetForAStepInParts(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC", "Test relationships saved", "Agent certified")
	if p := stored(m); p.Current != "certify_agent_requested" {
		t.Fatalf("walk ended at %q", p.Current)
	}
	set := clickAs(t, s, command(t, s, admin, ""), "Set target date…", admin, map[string]string{targetField: "2027-04-01"})
	if got := stored(m).Targets; !maps.Equal(got, map[string]string{"certify_agent_request": "2027-04-01"}) {
		t.Fatalf("targets after the card's button: %v", got)
	}
	if !strings.Contains(body(set), "Your target for **Step 6(A)** is April 1, 2027.") {
		t.Errorf("reply to the button:\n%s", body(set))
	}
	card := command(t, s, admin, "")
	text := body(card)
	if !strings.Contains(text, "**Your target for Step 6(A):** April 1, 2027") || strings.Contains(text, "you can set your firm's internal target date") || !hasLabel(card, "Target date: change…") {
		t.Errorf("card after the target was set on this part:\n%s\nbuttons %v", text, labels(card))
	}
	command(t, s, admin, "deadline 6A 2027-05-01")
	if got := stored(m).Targets; !maps.Equal(got, map[string]string{"certify_agent_request": "2027-05-01"}) {
		t.Fatalf("targets after deadline 6A: %v", got)
	}
	assertReplaysTo(t, s.Flow, stored(m), trail(m))
	if r := command(t, s, admin, "deadline 6A clear"); r.Title != "Target date cleared" || len(stored(m).Targets) != 0 {
		t.Errorf("clear: %q, targets %v", r.Title, stored(m).Targets)
	}
}

// A target an earlier build kept under a later part is still the step's
// target: shown on the card, changed in place and cleared.
func TestTargetKeptUnderALaterPart(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC", "Test relationships saved", "Agent certified")
	m.mu.Lock()
	p := m.p["F1"]
	p.Targets = map[string]string{"certify_agent_requested": "2027-04-01"}
	m.p["F1"] = p
	m.mu.Unlock()
	if text := body(command(t, s, admin, "")); !strings.Contains(text, "**Your target for Step 6(A):** April 1, 2027") {
		t.Errorf("card does not show the target kept under the later part:\n%s", text)
	}
	command(t, s, admin, "deadline 6A 2027-05-01")
	if got := stored(m).Targets; !maps.Equal(got, map[string]string{"certify_agent_requested": "2027-05-01"}) {
		t.Fatalf("targets after deadline 6A: %v (want the one target changed, not a second)", got)
	}
	if r := command(t, s, admin, "deadline 6A clear"); r.Title != "Target date cleared" || len(stored(m).Targets) != 0 {
		t.Errorf("clear: %q, targets %v", r.Title, stored(m).Targets)
	}
}

// A target that will not be announced any more says why in the list of
// dates, instead of counting down as if it would be.
func TestDeadlinesSayWhyATargetIsNoLongerAnnounced(t *testing.T) {
	s, _ := newService(t)
	card := walk(t, s, "Yes")
	command(t, s, admin, "deadline 2 2026-12-09")
	command(t, s, admin, "deadline 6B 2026-12-10")
	card = walkOn(t, s, card, "Registration submitted", "Test entitlements granted")
	walkOn(t, s, card, "Self-report: manual entry")
	text := body(command(t, s, "U1", "deadlines"))
	for _, want := range []string{
		"**Your target: Step 2: Register for CAT CAIS** — December 9, 2026: 15 days left · done, not announced",
		"· not on your firm's path now, not announced",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("deadlines lack %q:\n%s", want, text)
		}
	}
}

// Where an earlier build left targets under both 6(A)'s first part and a
// later one, the first part's is the step's target everywhere: on the
// card, in the list of dates and in what is announced.
func TestTwoStoredTargetsForOneStepShowAsOne(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC", "Test relationships saved", "Agent certified")
	m.mu.Lock()
	p := m.p["F1"]
	p.Targets = map[string]string{"certify_agent_request": "2027-04-01", "certify_agent_requested": "2027-05-01"}
	m.p["F1"] = p
	m.mu.Unlock()
	text := body(command(t, s, "U1", "deadlines"))
	if strings.Count(text, "Your target: Step 6(A)") != 1 || !strings.Contains(text, "April 1, 2027") || strings.Contains(text, "May 1, 2027") {
		t.Errorf("deadlines:\n%s", text)
	}
	if n := len(s.Flow.Announced(stored(m))); n == 0 {
		t.Fatal("nothing announced")
	}
	for _, d := range s.Flow.Announced(stored(m)) {
		if d.ID == "target:certify_agent_requested" {
			t.Errorf("the shadowed target is announced: %+v", d)
		}
	}
	// Clearing the one shown says that the other now stands.
	r := command(t, s, admin, "deadline 6A clear")
	if text := partsText(r); !strings.Contains(text, "An earlier version kept a second one for it, May 1, 2027, which is now its target") {
		t.Errorf("clear: %s", text)
	}
	if got := stored(m).Targets; len(got) != 1 || got["certify_agent_requested"] != "2027-05-01" {
		t.Errorf("targets after one clear: %v", got)
	}
}
