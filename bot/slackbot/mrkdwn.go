package slackbot

import (
	"strings"
	"sync"
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
	s = escapeMrkdwn(s)
	s = replaceBold(s, toMrkdwn)
	s = replaceLinks(s, toMrkdwn)
	s = replaceMentions(s, toMrkdwn)
	return strings.ReplaceAll(s, "{cmd}", command)
}

// escapeMrkdwn is mrkdwnEscaper's, without a copy of text that has
// nothing to escape.
func escapeMrkdwn(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return mrkdwnEscaper.Replace(s)
}

// mrkdwnCache remembers conversions: most text is the roadmap's own, the
// same on every card. It is bounded by starting afresh when full.
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
