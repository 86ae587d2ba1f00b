package slackbot

import (
	"regexp"
	"strings"
	"sync"
)

var (
	boldRe    = regexp.MustCompile(`\*\*(.+?)\*\*`)
	linkRe    = regexp.MustCompile(`\[([^\]]+)\]\((https?://[^)\s<>]+)\)`)
	mentionRe = regexp.MustCompile(`@\{([A-Z0-9]{2,32})\}`)
)

// mrkdwnEscaper escapes Slack's control characters, so user text can
// never form <!channel>, <@U…> or a link.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Mrkdwn converts the dialogs markup to Slack mrkdwn. Escaping comes
// first; only the markup's own constructs then become Slack syntax.
func Mrkdwn(s, command string) string {
	return mrkdwnCache.get(s, command)
}

func convertMrkdwn(s, command string) string {
	s = mrkdwnEscaper.Replace(s)
	if strings.Contains(s, "**") {
		s = boldRe.ReplaceAllString(s, "*$1*")
	}
	if strings.Contains(s, "](") {
		s = linkRe.ReplaceAllString(s, "<$2|$1>")
	}
	if strings.Contains(s, "@{") {
		s = mentionRe.ReplaceAllString(s, "<@$1>")
	}
	return strings.ReplaceAll(s, "{cmd}", command)
}

// mrkdwnCache remembers conversions: most text is the roadmap's own, the
// same on every card, and the regular expressions cost a tenth of a click's
// CPU. It is bounded by starting afresh when full.
var mrkdwnCache = &memo{max: 1024}

type memo struct {
	mu  sync.RWMutex
	max int
	m   map[[2]string]string
}

func (c *memo) get(s, command string) string {
	k := [2]string{s, command}
	c.mu.RLock()
	out, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return out
	}
	out = convertMrkdwn(s, command)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[[2]string]string, c.max)
	}
	c.m[k] = out
	c.mu.Unlock()
	return out
}
