package slackbot

import (
	"strings"
	"testing"
)

// Step 1's "No" carries Slack's confirm dialog, which says the answer is
// recorded as an answer and points to the Helpdesk.
func TestStep1NoAsksFirst(t *testing.T) {
	r := newRig(t)
	card := r.slash("U1", "")
	c := button(t, card, "No").Confirm
	if c == nil || !strings.Contains(c.Text.Text, "not a determination") || !strings.Contains(c.Text.Text, "Helpdesk") || c.Confirm.Text != "Record “No”" {
		t.Fatalf("No's confirm dialog: %+v", c)
	}
	if button(t, card, "Yes").Confirm != nil {
		t.Error("Yes asks for confirmation too")
	}
}
