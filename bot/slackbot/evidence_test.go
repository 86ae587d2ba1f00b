package slackbot

import (
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// spoofedEvidence is a status whose evidence tries to pass a link off as
// something else, in Slack's and in Markdown's syntax.
func spoofedEvidence() dialogs.Reply {
	f := &dialogs.Flow{Roadmap: dialogs.Default(), Loc: time.UTC}
	at := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	p := dialogs.Progress{Version: 1, Evidence: map[string][]dialogs.Evidence{"obligation": {{
		Ref: "<https://evil.example|Helpdesk>", Link: "https://example.com/t?a=1&b=2", Note: "[Helpdesk](https://evil.example)", User: "U1", At: at,
	}}}}
	return f.Status(p, at)
}

func TestEvidenceLinksAreNotClickableSpoofsInSlack(t *testing.T) {
	var all []string
	for _, part := range spoofedEvidence().Parts {
		all = append(all, Mrkdwn(part.Text, "/cais-next"))
	}
	text := strings.Join(all, "\n")
	if !strings.Contains(text, "link `https://example.com/t?a=1&amp;b=2`") {
		t.Errorf("the link is not shown as copyable code:\n%s", text)
	}
	if strings.Contains(text, "<https://evil") || strings.Contains(text, "|Helpdesk>") || strings.Contains(text, "](https://evil") {
		t.Errorf("evidence formed a Slack link:\n%s", text)
	}
	if !strings.Contains(text, "&lt;https://evil.example|Helpdesk&gt;") {
		t.Errorf("the reference is not shown as typed:\n%s", text)
	}
}
