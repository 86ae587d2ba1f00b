package dialogs

import (
	"strings"
	"testing"
)

// Commands that change the record take nothing after them: "undo 3"
// must not undo the latest step (a user may mean Step 3), and a reset
// with nothing to reset writes nothing.
func TestChangingCommandsRefuseWhatTheyCannotDo(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		confirmed  bool // Step 1 confirmed first
		wantTitle  string
		wantText   string
	}{
		{"undo with a step number", "undo 3", true, "Nothing was changed", "`/cais-next undo` reopens the latest confirmed step; it takes nothing after it."},
		{"reset with a word after it", "reset all", true, "Nothing was changed", "`/cais-next reset` asks before reopening every step"},
		{"reset with every step open", "reset", false, "Nothing to reset", "Every step is already open. Nothing was changed."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			if tc.confirmed {
				press(t, s, command(t, s, "U1", ""), "Yes", "U1", "")
			}
			before, n := stored(m), len(trail(m))
			r := command(t, s, admin, tc.text)
			if got := strings.ReplaceAll(body(r), "{cmd}", "/cais-next"); r.Title != tc.wantTitle || !strings.Contains(got, tc.wantText) || len(r.Actions) != 0 {
				t.Errorf("%q: %q, buttons %v; want %q with %q", tc.text, got, labels(r), tc.wantTitle, tc.wantText)
			}
			unchanged(t, m, before, n)
		})
	}
}

// A reset prompt shown while there was something to reset, clicked after
// an undo left nothing, writes nothing.
func TestResetClickWithNothingToReset(t *testing.T) {
	s, m := newService(t)
	press(t, s, command(t, s, "U1", ""), "Yes", "U1", "")
	command(t, s, admin, "undo")
	prompt := command(t, s, admin, "reset")
	if prompt.Title != "Nothing to reset" {
		t.Fatalf("prompt after undoing the only step: %q", body(prompt))
	}
	// The same state reached by a reset token of the current version.
	p := stored(m)
	tok := Token{Kind: KindReset, Version: p.Version}.String()
	n := len(trail(m))
	r := press(t, s, Reply{Actions: []Action{{Label: "Reset all progress", Value: tok}}}, "Reset all progress", admin, "")
	if r.Title != "Nothing to reset" || len(trail(m)) != n {
		t.Errorf("reset click with nothing to reset: %q, %d entries written", r.Title, len(trail(m))-n)
	}
}

func TestAnnounceAlreadyInWords(t *testing.T) {
	s, _ := newService(t)
	command(t, s, admin, "announce")
	if got := body(command(t, s, admin, "announce")); !strings.Contains(got, "This channel already gets deadline announcements.") {
		t.Errorf("announce twice: %q", got)
	}
	command(t, s, admin, "announce off")
	if got := body(command(t, s, admin, "announce off")); !strings.Contains(got, "This channel does not get deadline announcements.") {
		t.Errorf("announce off twice: %q", got)
	}
}
