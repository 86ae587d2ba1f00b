package dialogs

import "testing"

func TestReadOnly(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"", true}, {"status", true}, {"history", true}, {"verify", true}, {"reset", true}, {"bogus", true},
		{"undo", false}, {"deadline 1 2026-01-01", false}, {"announce on", false},
	} {
		if got := ParseCommand(tc.text).ReadOnly(); got != tc.want {
			t.Errorf("%q: ReadOnly = %v, want %v", tc.text, got, tc.want)
		}
	}
}
