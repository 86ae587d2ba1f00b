package app

import (
	"strconv"
	"strings"
	"testing"
)

// A Switch reads what strconv.ParseBool reads, and "" as off; anything
// else is refused with the value quoted, never taken as on.
func FuzzSwitch(f *testing.F) {
	for _, s := range []string{"", "true", "1", "false", "0", "yes", " true", "TRUE", "on", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		var s Switch = true
		err := s.Decode(v)
		want, perr := strconv.ParseBool(v)
		switch {
		case v == "":
			if err != nil || s {
				t.Fatalf("%q: %v, %v; want off", v, s, err)
			}
		case perr != nil:
			if err == nil || !strings.Contains(err.Error(), strconv.Quote(v)) {
				t.Fatalf("%q accepted or not named: %v", v, err)
			}
		case err != nil || bool(s) != want:
			t.Fatalf("%q: %v, %v; want %v", v, s, err, want)
		}
	})
}
