package slackbot

import (
	"regexp"
	"strings"
	"testing"
)

// The markup's regular expressions, which the scanners in markup.go
// replaced and must match exactly.
var (
	boldRe    = regexp.MustCompile(`\*\*(.+?)\*\*`)
	linkRe    = regexp.MustCompile(`\[([^\]]+)\]\((https?://[^)\s<>]+)\)`)
	mentionRe = regexp.MustCompile(`@\{([A-Z0-9]{2,32})\}`)
)

// regexPlain is plain as it was, with the regular expressions.
func regexPlain(s, command string, max int) string {
	s = boldRe.ReplaceAllString(s, "$1")
	s = linkRe.ReplaceAllString(s, "$1")
	s = mentionRe.ReplaceAllString(s, "@$1")
	return clip(strings.ReplaceAll(s, "{cmd}", command), max)
}

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
	"***a**", "**\n**", "**a**b**c**", "[[a](http://x)", "[a\nb](http://x)", "[a](http://x\vy)", "[a](httpx://y)",
	"@{U1@{U2}", "@{AB}@{CD}", "[a](https://x)(https://y)", "**\xff**", "[\xff](http://\xfe)", "@{AB", "[a]", "[a](",
}

func TestPlainMatchesReference(t *testing.T) {
	for _, in := range append(mrkdwnCases, "Confirm **Step 2**", "Open @{UALICE}'s [guide](https://x.y)") {
		if got, want := plain(in, "/x", 20), regexPlain(in, "/x", 20); got != want {
			t.Errorf("plain(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

func FuzzPlainMatchesReference(f *testing.F) {
	for _, in := range mrkdwnCases {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := plain(in, "/c", 3000), regexPlain(in, "/c", 3000); got != want {
			t.Fatalf("plain(%q)\n got %q\nwant %q", in, got, want)
		}
	})
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
