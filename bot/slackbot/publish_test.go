package slackbot

import (
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/internal/slackfake"
)

// The public progress line survives Slack's rate limits and hiccups:
// a 429 is waited out as Retry-After asks, a 5xx retried; a wait longer
// than the send may take tells the clicker instead of losing the line
// silently.
func TestProgressLineRetriesOrTellsTheUser(t *testing.T) {
	for _, c := range []struct {
		name     string
		fail     []slackfake.Failure
		posts    int  // chat.postMessage calls for the line
		posted   bool // the last one was accepted
		toldBusy bool
	}{
		{"429 waited out", []slackfake.Failure{{Status: 429, RetryAfter: "1"}}, 2, true, false},
		{"5xx retried", []slackfake.Failure{{Status: 500}, {Status: 503}}, 3, true, false},
		{"429 longer than a send may wait", []slackfake.Failure{{Status: 429, RetryAfter: "60"}}, 1, false, true},
		{"refused for good", []slackfake.Failure{{Status: 200, Error: "msg_too_long"}}, 1, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			card := r.slash("U1", "")
			r.slack.FailNext("chat.postMessage", c.fail...)
			r.click(card, "Yes", "U1")
			r.h.Wait()
			posts := r.slack.Calls("chat.postMessage")
			if len(posts) != c.posts {
				t.Fatalf("%d chat.postMessage calls; want %d", len(posts), c.posts)
			}
			if c.posted && !strings.Contains(posts[len(posts)-1].Param("text"), "confirmed *Step 1") {
				t.Fatalf("the line that went out: %q", posts[len(posts)-1].Param("text"))
			}
			if c.posts == 2 && posts[1].At.Sub(posts[0].At) < 900*time.Millisecond {
				t.Errorf("retried %v after a 429 asking for 1 s", posts[1].At.Sub(posts[0].At))
			}
			told := false
			for _, rc := range r.slack.Calls("response_url") {
				told = told || strings.Contains(string(rc.Body), "the team has not seen it")
			}
			if told != c.toldBusy {
				t.Fatalf("user told the line was lost: %v; want %v", told, c.toldBusy)
			}
			if r.audit() != 1 {
				t.Fatalf("audit %d; the confirmation is recorded once whatever Slack does", r.audit())
			}
		})
	}
}
