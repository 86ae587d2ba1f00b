package dialogs

import (
	"strings"
	"testing"
)

const step1 = "Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS"

// Reopening Step 1 from the "No" outcome is a reopen, not a confirmation,
// in the trail, the channel line, history and late clicks.
func TestReopenIsItsOwnAction(t *testing.T) {
	s, m := newService(t)
	oldStep1 := command(t, s, "U3", "")
	outcome := walk(t, s, "No")
	late := command(t, s, "U3", "") // the outcome card, drawn before the reopen
	r := press(t, s, outcome, "Reopen Step 1", "U2", "")
	if !strings.HasPrefix(r.Title, "Step 1:") {
		t.Fatalf("reopen leads to %q", r.Title)
	}
	e := trail(m)[len(trail(m))-1]
	if e.Action != ActReopen || e.Choice != "reopen" {
		t.Errorf("audit entry %+v, want action %q", e, ActReopen)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"channel line", r.Public, "@{U2} reopened **" + step1 + "** (it had been answered “No” by @{U1}"},
		{"history", body(command(t, s, "U1", "history")), "@{U2} reopened Step 1"},
		{"late reopen", body(press(t, s, late, "Reopen Step 1", "U3", "")), "Step 1 was already reopened by @{U2} on Nov 24, 2026"},
		{"Step 1 card from before", body(press(t, s, oldStep1, "Yes", "U3", "")), "This card is from before @{U2} reopened Step 1 on"},
	} {
		if !strings.Contains(tc.text, tc.want) {
			t.Errorf("%s lacks %q:\n%s", tc.name, tc.want, tc.text)
		}
		for _, bad := range []string{"confirmed " + "No CAIS", "answer: Reopen", "already confirmed"} {
			if strings.Contains(tc.text, bad) {
				t.Errorf("%s says %q:\n%s", tc.name, bad, tc.text)
			}
		}
	}
	if n := len(trail(m)); n != 2 {
		t.Errorf("%d audit entries, want 2 (late clicks write none)", n)
	}
	if b := VerifyChain(trail(m), stored(m).Head); b != nil {
		t.Errorf("chain: %v", b)
	}
}

// An entry stored as "confirm" by an earlier build stays readable as it
// was written.
func TestOldReopenEntriesStayConfirmations(t *testing.T) {
	old := Entry{Seq: 2, At: t0, User: "U2", Action: ActConfirm, Step: "no_obligation", Choice: "reopen", Detail: "Reopen Step 1"}
	text := body(newFlow().History([]Entry{old}))
	if !strings.Contains(text, "@{U2} confirmed") || !strings.Contains(text, "(Reopen Step 1)") {
		t.Errorf("old entry:\n%s", text)
	}
}
