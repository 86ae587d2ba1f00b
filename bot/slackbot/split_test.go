package slackbot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitMrkdwnKeepsEscapesAndConstructsWhole(t *testing.T) {
	amps := strings.Repeat("&amp;", 30) // 150 characters of one escaped text
	for _, tc := range []struct {
		name, in string
		max      int
		want     []string
	}{
		{"short", "a &amp; b", 20, []string{"a &amp; b"}},
		{"line break preferred", "first line here\nsecond", 20, []string{"first line here", "second"}},
		{"space when no line break", "aaaa bbbb cccc dddd", 12, []string{"aaaa bbbb", "cccc dddd"}},
		{"never inside an escape", "xxxxxxx&amp;yy", 10, []string{"xxxxxxx", "&amp;yy"}},
		{"never inside a mention", "see <@U0ALICE> now", 12, []string{"see", "<@U0ALICE>", "now"}},
		{"never inside a link", "ab <https://x.example/a?b=1&amp;c=2|Help> cd", 40, []string{"ab", "<https://x.example/a?b=1&amp;c=2|Help>", "cd"}},
		{"escapes only", amps, 12, []string{"&amp;&amp;", "&amp;&amp;"}},
		{"a construct longer than a piece is cut", "<@U0ALICE>", 8, []string{"<@U0ALIC", "E>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := splitMrkdwn(tc.in, tc.max)
			if tc.name == "escapes only" {
				got = got[:2]
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("splitMrkdwn(%q, %d) = %q; want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

// checkPieces fails when a piece is over max or ends or starts inside an
// escape or an angle-bracket construct (for text whose constructs are
// all shorter than max).
func checkPieces(t *testing.T, in string, pieces []string, max int) {
	t.Helper()
	for i, p := range pieces {
		if n := utf8.RuneCountInString(p); n > max {
			t.Fatalf("piece %d has %d characters; max %d", i, n, max)
		}
		if strings.Count(p, "<") != strings.Count(p, ">") {
			t.Fatalf("piece %d cuts an angle-bracket construct: %q (of %q)", i, p, in)
		}
		if amp := strings.LastIndex(p, "&"); amp >= 0 && !strings.Contains(p[amp:], ";") {
			t.Fatalf("piece %d ends inside an escape: %q", i, p)
		}
	}
}

// FuzzSplitMrkdwn: any text the dialogs markup can carry, converted and
// split, gives pieces within the limit that cut no escape or construct.
func FuzzSplitMrkdwn(f *testing.F) {
	for _, s := range []string{"a & b", "@{U0ALICE} & [Help](https://x.example/?a=1&b=2)", strings.Repeat("A&B ", 50), "x\ny\n<>&&"} {
		f.Add(s, 40)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 40 || max > 4000 || !utf8.ValidString(s) {
			return
		}
		in := convertMrkdwn(s, "/cais-next")
		// Constructs longer than a piece are cut (rarely: links are
		// bounded); keep the check to text where none is.
		for _, c := range strings.Split(in, "<") {
			if i := strings.IndexByte(c, '>'); i > max/2 {
				return
			}
		}
		checkPieces(t, in, splitMrkdwn(in, max), max)
		if c := clipMrkdwn(in, max); utf8.RuneCountInString(c) > max {
			t.Fatalf("clipMrkdwn gave %d characters; max %d", utf8.RuneCountInString(c), max)
		}
	})
}

// Ten agent names full of "&" (each escaped to "&amp;") make a progress
// line of over 5,000 characters: it reaches the channel whole, in
// sections within Slack's limit, with no escape cut.
func TestLongProgressLineReachesTheChannel(t *testing.T) {
	r := newRig(t)
	card := r.slash("U1", "")
	card = r.click(card, "Yes", "U1")
	card = r.click(card, "Registration submitted", "U1")
	card = r.click(card, "Test entitlements granted", "U1")
	var names []string
	for i := range 10 {
		names = append(names, fmt.Sprintf("Agent %d ", i)+strings.Repeat("&", 90))
	}
	resp := r.post(r.clickPayload(button(t, card, "CAT Reporting Agent"), "U1", "agent"), "application/x-www-form-urlencoded")
	resp.Body.Close()
	if st, body := r.submitAgents("U1", strings.Join(names, "\n")); st != 200 || strings.Contains(body, "errors") {
		t.Fatalf("submit: %d %s", st, body)
	}
	posts := r.slack.Wait(t, "chat.postMessage", 4)
	var line map[string]any
	for _, p := range posts {
		if strings.Contains(p.Param("text"), "Step 4") {
			line = map[string]any{"blocks": p.Param("blocks")}
		}
	}
	if line == nil {
		t.Fatal("no progress line for Step 4")
	}
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal([]byte(line["blocks"].(string)), &blocks); err != nil {
		t.Fatal(err)
	}
	var pieces []string
	for _, b := range blocks {
		pieces = append(pieces, b.Text.Text)
	}
	checkPieces(t, "", pieces, maxSectionText)
	// A cut falls at a space (dropped) or between two escapes of one
	// name; the text is whole once the pieces are put back together.
	nospace := strings.NewReplacer(" ", "", "\n", "")
	all := nospace.Replace(strings.Join(pieces, ""))
	for _, n := range names {
		if want := nospace.Replace(strings.ReplaceAll(n, "&", "&amp;")); !strings.Contains(all, want) {
			t.Fatalf("the progress line lost %q", n[:8])
		}
	}
	if len(blocks) < 2 {
		t.Fatalf("a %d-character line in %d section", len(all), len(blocks))
	}
}
