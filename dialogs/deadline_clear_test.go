package dialogs

import (
	"strings"
	"testing"
)

func TestTargetForADoneStepIsRefused(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes", "Registration submitted")
	before, n := stored(m), len(trail(m))
	for _, step := range []string{"1", "2"} {
		out := body(command(t, s, admin, "deadline "+step+" 2027-06-05"))
		if !strings.Contains(out, "Step "+step+" is already done (confirmed by @{U1} on Nov 24, 2026") || !strings.Contains(out, "Nothing was changed") {
			t.Errorf("target for done Step %s:\n%s", step, out)
		}
	}
	unchanged(t, m, before, n)
	if out := body(command(t, s, admin, "deadline 3 2027-06-05")); !strings.Contains(out, "Target date set") {
		t.Errorf("target for the current step:\n%s", out)
	}
	// A step reopened by undo is open again: a target is welcome.
	command(t, s, admin, "undo")
	if out := body(command(t, s, admin, "deadline 2 2027-06-05")); !strings.Contains(out, "Target date set") {
		t.Errorf("target for a reopened step:\n%s", out)
	}
}

func TestClearATarget(t *testing.T) {
	s, m := newService(t)
	command(t, s, admin, "deadline 2 2027-06-05")
	if !announcesTarget(s.Flow, stored(m)) {
		t.Fatalf("target not announced before clearing: %+v", s.Flow.Announced(stored(m)))
	}
	if out := body(command(t, s, "U1", "deadline 2 clear")); !strings.Contains(out, "Only admins") {
		t.Errorf("non-admin clear:\n%s", out)
	}
	r := command(t, s, admin, "deadline 2 CLEAR")
	if !strings.Contains(body(r), "Target date cleared") || !strings.Contains(r.Public, "@{UADMIN} cleared the firm's target for **Step 2: Register for CAT CAIS** (it was June 5, 2027)") {
		t.Errorf("clear: %s / %s", body(r), r.Public)
	}
	if p := stored(m); len(p.Targets) != 0 || announcesTarget(s.Flow, p) {
		t.Errorf("after clearing: targets %v, announced %+v", p.Targets, s.Flow.Announced(p))
	}
	e := trail(m)[len(trail(m))-1]
	if e.Action != ActDeadlineClear || e.Step != "register" || e.Detail != "was 2027-06-05" {
		t.Errorf("audit entry %+v", e)
	}
	if h := body(command(t, s, "U1", "history")); !strings.Contains(h, "@{UADMIN} cleared the target for Step 2 (was 2027-06-05)") {
		t.Errorf("history:\n%s", h)
	}
	if d := body(command(t, s, "U1", "deadlines")); strings.Contains(d, "Your target: ") {
		t.Errorf("deadlines still list the target:\n%s", d)
	}
	before, n := stored(m), len(trail(m))
	if out := body(command(t, s, admin, "deadline 2 clear")); !strings.Contains(out, "Step 2 has no target date. Nothing was changed.") {
		t.Errorf("clear twice:\n%s", out)
	}
	unchanged(t, m, before, n)
	if h := body(command(t, s, "U1", "help")); !strings.Contains(h, "`{cmd} deadline <step> clear`") {
		t.Errorf("help lacks clear:\n%s", h)
	}
}

func announcesTarget(f *Flow, p Progress) bool {
	for _, d := range f.Announced(p) {
		if d.ID == "target:register" {
			return true
		}
	}
	return false
}
