package dialogs

import (
	"strings"
	"testing"
)

func TestStatusAfterReopen(t *testing.T) {
	s, _ := newService(t)
	walk(t, s, "No", "Reopen Step 1")
	st := body(command(t, s, "U1", "status"))
	if !lineHas(st, "Step 1", "next") || lineHas(st, "Step 1", "✅") {
		t.Errorf("after reopening, Step 1 must be the next step, not confirmed:\n%s", st)
	}
	if !lineHas(st, "Step 2", "open") {
		t.Errorf("after reopening, Step 2 must be open:\n%s", st)
	}
}

// A roadmap file replaced under stored progress (a step or answer renamed)
// must not crash status, stale clicks or undo.
func TestProgressFromAnOlderRoadmap(t *testing.T) {
	f := newFlow()
	p := Progress{Version: 2, Current: "register", Path: []Confirmation{
		{Step: "obligation", Choice: "oui", User: "U1", At: t0},
	}, Last: &Change{Action: ActConfirm, Step: "obligation", User: "U1", At: t0}}
	ev := Event{User: admin, At: t0, Token: Token{Kind: KindChoose, Step: "obligation", Choice: "yes"}}
	if r := f.Status(p, t0); !strings.Contains(body(r), "oui") {
		t.Errorf("status does not show the stored answer:\n%s", body(r))
	}
	if r := f.Click(p, ev); r.Next != nil || !strings.Contains(body(r.Reply), "already confirmed by @{U1}") {
		t.Errorf("stale click: %s", body(r.Reply))
	}
	p.Path = append(p.Path, Confirmation{Step: "gone", Choice: "done", User: "U1", At: t0})
	if r := f.Undo(p, ev); r.Next == nil || r.Next.Current != "gone" {
		t.Errorf("undo: %+v", r)
	}
}

func TestCardFromBeforeAnUndoIsStale(t *testing.T) {
	s, m := newService(t)
	step1 := command(t, s, "U1", "")
	step2 := press(t, s, step1, "Yes", "U1", "")
	press(t, s, step2, "Registration submitted", "U1", "")
	command(t, s, admin, "undo") // Step 2 is current again
	out := press(t, s, step2, "Registration submitted", "U2", "")
	if !strings.Contains(body(out), "This card is from before @{"+admin+"} reopened Step 2") {
		t.Fatalf("old Step 2 card after undo:\n%s", body(out))
	}
	if n := len(m.entries["F1"]); n != 3 {
		t.Fatalf("audit entries %d, want 3 (the stale click writes none)", n)
	}
	fresh := command(t, s, "U2", "")
	if got := press(t, s, fresh, "Registration submitted", "U2", ""); !strings.HasPrefix(got.Title, "Step 3:") {
		t.Fatalf("a fresh card after undo must work: %q", got.Title)
	}
}

func TestResetPromptFromAnotherStateChangesNothing(t *testing.T) {
	s, m := newService(t)
	card := press(t, s, command(t, s, "U1", ""), "Yes", "U1", "")
	prompt := command(t, s, admin, "reset") // drawn with 1 confirmation
	press(t, s, card, "Registration submitted", "U1", "")
	out := press(t, s, prompt, "Reset all progress", admin, "")
	if !strings.Contains(body(out), "changed since this prompt") || len(m.p["F1"].Path) != 2 {
		t.Fatalf("a stale reset prompt must change nothing:\n%s", body(out))
	}
	fresh := command(t, s, admin, "reset")
	press(t, s, fresh, "Reset all progress", admin, "")
	again := press(t, s, fresh, "Reset all progress", admin, "") // delivered twice
	if n := len(m.entries["F1"]); n != 3 || !strings.Contains(body(again), "changed since this prompt") {
		t.Fatalf("a repeated reset click: %d entries, want 3 (two confirmations, one reset)\n%s", n, body(again))
	}
}

func TestDeadlineForAStepOffThePathIsRefused(t *testing.T) {
	s, m := newService(t)
	card := command(t, s, "U1", "")
	for _, label := range []string{"Yes", "Registration submitted", "Test entitlements granted"} {
		card = press(t, s, card, label, "U1", "")
	}
	press(t, s, card, "Self-report: manual entry", "U1", "")
	before := len(m.entries["F1"])
	if out := body(command(t, s, admin, "deadline 6A 2027-06-05")); !strings.Contains(out, "does not apply") {
		t.Fatalf("6A on a self-reporting firm: %s", out)
	}
	if out := body(command(t, s, admin, "deadline 6 2027-06-05")); !strings.Contains(out, "Target date set") {
		t.Fatalf("6 on a self-reporting firm: %s", out)
	}
	if got := len(m.entries["F1"]) - before; got != 1 {
		t.Fatalf("%d entries, want 1", got)
	}
}

// A settings change after a step was reopened must not be named as what
// made an old card stale.
func TestStaleCardAfterASettingsChange(t *testing.T) {
	s, _ := newService(t)
	step2 := press(t, s, command(t, s, "U1", ""), "Yes", "U1", "")
	press(t, s, step2, "Registration submitted", "U1", "")
	command(t, s, admin, "undo")
	command(t, s, admin, "announce")
	got := body(press(t, s, step2, "Registration submitted", "U2", ""))
	if !strings.Contains(got, "This card is from an earlier visit of Step 2, before it was reopened (latest change: @{"+admin+"} changed the firm's settings (announce) on") {
		t.Fatalf("old Step 2 card after an undo and a subscription:\n%s", got)
	}
}

func TestResetPromptCountsConfirmations(t *testing.T) {
	s, _ := newService(t)
	press(t, s, command(t, s, "U1", ""), "Yes", "U1", "")
	if got := body(command(t, s, admin, "reset")); !strings.Contains(got, "(1 step confirmed so far)") {
		t.Fatalf("reset prompt after one confirmation:\n%s", got)
	}
	if plural(0, "step") != "0 steps" || plural(2, "step") != "2 steps" {
		t.Fatal("plural")
	}
}

// Changed marks exactly the replies that follow a commit.
func TestReplyChangedOnlyAfterACommit(t *testing.T) {
	s, _ := newService(t)
	card := command(t, s, "U1", "")
	for _, c := range []struct {
		name string
		r    Reply
		want bool
	}{
		{"next", card, false},
		{"status", command(t, s, "U1", "status"), false},
		{"not an admin", command(t, s, "U1", "announce"), false},
		{"announce", command(t, s, admin, "announce"), true},
		{"confirm", press(t, s, card, "Yes", "U1", ""), true},
		{"stale click", press(t, s, card, "Yes", "U2", ""), false},
	} {
		if c.r.Changed != c.want {
			t.Errorf("%s: Changed %v, want %v", c.name, c.r.Changed, c.want)
		}
	}
}
