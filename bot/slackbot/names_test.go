package slackbot

import (
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// An agent's name with Slack's own markers (* _ ~ `) stays one bold run
// in Slack: none of its characters opens or closes formatting.
func TestAgentNamesKeepSlackFormatting(t *testing.T) {
	agents, _ := dialogs.ParseAgents("*Acme* _Clearing_\nB~u~reau `Co`")
	f := &dialogs.Flow{Roadmap: dialogs.Default(), Loc: time.UTC}
	p := dialogs.Progress{Version: 5, Current: "relationship_test", Path: []dialogs.Confirmation{{Step: "method", Choice: "agent", User: "U1", Agents: agents}}}
	var text string
	for _, part := range f.Card(p, time.Time{}).Parts {
		if strings.Contains(part.Text, "Acme") {
			text = Mrkdwn(part.Text, "/cais-next")
		}
	}
	for _, want := range []string{"*∗Acme∗ ˍClearingˍ*", "*B∼u∼reau ˋCoˋ*"} {
		if !strings.Contains(text, want) {
			t.Errorf("Slack text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "**") || strings.Contains(text, "~u~") || strings.Contains(text, "`Co`") || strings.Contains(text, "_Clearing_") {
		t.Errorf("a name's markers reach Slack:\n%s", text)
	}
}
