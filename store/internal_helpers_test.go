package store

import (
	"strings"

	"github.com/caisbot/caisbot/firm"
)

// slackFirm is the Slack firm whose key is key ("T1" or "T1:C1"), valid
// or not (tests of refused ids use it too).
func slackFirm(key string) firm.ID {
	ws, ch, _ := strings.Cut(key, ":")
	return firm.ID{Platform: firm.Slack, Workspace: ws, Channel: ch}
}
