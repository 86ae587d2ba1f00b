package slackbot

import (
	"strings"
	"testing"
)

// regexMrkdwn is the plain conversion, without the shortcuts and the
// memo, as the reference Mrkdwn must match.
func regexMrkdwn(s, command string) string {
	s = mrkdwnEscaper.Replace(s)
	s = boldRe.ReplaceAllString(s, "*$1*")
	s = linkRe.ReplaceAllString(s, "<$2|$1>")
	s = mentionRe.ReplaceAllString(s, "<@$1>")
	return strings.ReplaceAll(s, "{cmd}", command)
}

var mrkdwnCases = []string{
	"**bold** and [the guide](https://catnmsplan.com/registration/) for @{U0ALICE} — `{cmd} status`",
	"<!channel> & <@U123> **x** ** y ** [a](javascript:alert(1)) [b](http://x.y/z)",
	"**unclosed", "****", "** **", "**a\nb**", "[](https://x)", "[x](https://)", "[x](https://a b)",
	"@{u1} @{U} @{U1}} @{UABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789}", "{cmd}{cmd} {cmd", "[**b**](https://x.y)",
	"a [x] (https://y) [x](https://y", "&amp; &lt;", "**[x](https://y)**", "@\u200b{UEVIL} ]\u200b(",
}

func TestMrkdwnMatchesReference(t *testing.T) {
	small := &memo{max: 2} // also through a memo that keeps starting afresh
	for _, in := range mrkdwnCases {
		if got, want := small.get(in, "/x"), regexMrkdwn(in, "/x"); got != want {
			t.Errorf("memo(%q) = %q, want %q", in, got, want)
		}
		if got, want := Mrkdwn(in, "/cais-next"), regexMrkdwn(in, "/cais-next"); got != want {
			t.Errorf("Mrkdwn(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

func FuzzMrkdwnMatchesReference(f *testing.F) {
	for _, in := range mrkdwnCases {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := Mrkdwn(in, "/c")
		if want := regexMrkdwn(in, "/c"); got != want {
			t.Fatalf("Mrkdwn(%q)\n got %q\nwant %q", in, got, want)
		}
		if strings.Contains(got, "<!") {
			t.Fatalf("Mrkdwn(%q) can ping: %q", in, got)
		}
	})
}
