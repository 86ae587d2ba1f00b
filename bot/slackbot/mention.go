package slackbot

import (
	"strings"
	"unicode"

	"github.com/caisbot/caisbot/dialogs"
)

// roleTarget reads who a roles command (`admins add @name`) names: with
// the command's "Escape channels, users, and links" on (the manifests),
// Slack sends a picked person as "<@U123|name>" (or "<@U123>"). The text
// after the verb must be exactly one such mention of a user id; anything
// else ("@name" typed without picking, two people, a channel) names no one,
// and dialogs answers with the usage.
func roleTarget(text string) (user string, ok bool) {
	words := strings.Fields(text)
	if len(words) < 3 {
		return "", false
	}
	verb := strings.ToLower(words[1])
	if verb != "add" && verb != "remove" {
		return "", false
	}
	// The rest of the text, after the first two words; a label may
	// hold spaces.
	rest := text
	for range 2 {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		rest = rest[strings.IndexFunc(rest, unicode.IsSpace):] // Fields found a third word
	}
	return parseMention(strings.TrimSpace(rest))
}

// parseMention reads "<@U123>" or "<@U123|label>": the whole of s.
func parseMention(s string) (string, bool) {
	inner, found := strings.CutPrefix(s, "<@")
	if !found {
		return "", false
	}
	inner, found = strings.CutSuffix(inner, ">")
	if !found || strings.ContainsAny(inner, "<>") {
		return "", false
	}
	id, _, _ := strings.Cut(inner, "|")
	if !slackUser.MatchString(id) {
		return "", false
	}
	return id, true
}

// withTarget sets the person a roles command names, as Slack sent them.
func withTarget(cmd dialogs.Command, text string) dialogs.Command {
	if cmd.Name == dialogs.CmdAdmins || cmd.Name == dialogs.CmdPrincipals {
		cmd.User, _ = roleTarget(text)
	}
	return cmd
}
