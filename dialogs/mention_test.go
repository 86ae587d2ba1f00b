package dialogs

import (
	"regexp"
	"strings"
	"testing"
)

// userIDShape is the rule isUserID writes out.
var userIDShape = regexp.MustCompile(`^[A-Z0-9]{2,32}$`)

func TestMention(t *testing.T) {
	for _, c := range []struct{ user, want string }{
		{"U0123ABCD", "@{U0123ABCD}"},
		{"W1", "@{W1}"},
		{"U", "U"},
		{"", ""},
		{"u0123abcd", "u0123abcd"},
		{"U0123-ABC", "U0123-ABC"},
		{strings.Repeat("U", 32), "@{" + strings.Repeat("U", 32) + "}"},
		{strings.Repeat("U", 33), strings.Repeat("U", 33)},
		{"29:1abcDEF", "29:1abcDEF"},
		{"@{cmd}", "@\u200b{\u200bcmd}"},
		{"ÜSER", "ÜSER"},
	} {
		if got := Mention(c.user); got != c.want {
			t.Errorf("Mention(%q) = %q, want %q", c.user, got, c.want)
		}
	}
}

func FuzzIsUserID(f *testing.F) {
	for _, s := range []string{"U0123ABCD", "W1", "U", "", "u1", "U-1", "ÜSER", strings.Repeat("9", 33)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isUserID(s), userIDShape.MatchString(s); got != want {
			t.Fatalf("isUserID(%q) = %v, the rule says %v", s, got, want)
		}
	})
}
