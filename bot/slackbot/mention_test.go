package slackbot

import (
	"strings"
	"testing"
)

func TestRoleTarget(t *testing.T) {
	cases := []struct {
		text, want string
	}{
		{"admins add <@U0ERIN|erin>", "U0ERIN"},
		{"admins add <@U0ERIN>", "U0ERIN"},
		{"principals  REMOVE   <@W0GRID|Erin van Dyke> ", "W0GRID"},
		{"admins add <@U0ERIN|a>b>", ""},
		{"admins add @erin", ""},
		{"admins add <#C0CHAN|general>", ""},
		{"admins add <@U0ERIN|erin> <@U0BOB|bob>", ""},
		{"admins add <@u0erin>", ""},
		{"admins add <@B0BOT|bot>", ""},
		{"admins list <@U0ERIN>", ""},
		{"admins add", ""},
		{"admins add <@>", ""},
		{"admins add <!here>", ""},
		{"admins\u00a0add\u00a0<@U0ERIN>", "U0ERIN"},
	}
	for _, c := range cases {
		if got, ok := roleTarget(c.text); got != c.want || ok != (c.want != "") {
			t.Errorf("roleTarget(%q) = %q, %v; want %q", c.text, got, ok, c.want)
		}
	}
}

// FuzzRoleTarget: no panic, and a user is named only by one whole
// mention of a well-formed user id.
func FuzzRoleTarget(f *testing.F) {
	for _, s := range []string{"admins add <@U1|a>", "admins remove <@W9>", "principals add <@U1|a b c>", "a b \t<@U1>", "admins add <<@U1>>", "x y <@U1|>", "admins\u00a0add\u00a0<@U1>", "admins add\v<@U2>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		user, ok := roleTarget(text)
		if ok != (user != "") || ok && (!slackUser.MatchString(user) || !strings.Contains(text, "<@"+user)) {
			t.Fatalf("roleTarget(%q) = %q, %v", text, user, ok)
		}
	})
}
