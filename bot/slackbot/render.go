package slackbot

import (
	"strings"
	"unicode/utf8"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/slack-go/slack"
)

// Block Kit limits (docs.slack.dev/reference/block-kit).
const (
	maxHeader      = 150
	maxSectionText = 3000
	maxButtonText  = 75
	maxMsgBlocks   = 50
	maxViewBlocks  = 100
	maxActions     = 25
)

// plain converts markup to plain text (headers, buttons, fallbacks).
func plain(s, command string, max int) string {
	s = replaceBold(s, toPlain)
	s = replaceLinks(s, toPlain)
	s = replaceMentions(s, toPlain)
	return clip(strings.ReplaceAll(s, "{cmd}", command), max)
}

// clip shortens s to at most max runes, marking the cut.
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// Renderer turns platform-neutral replies into Block Kit.
type Renderer struct {
	Command string // e.g. "/cais-next"
}

// Blocks renders a reply for a message (at most 50 blocks).
func (rd Renderer) Blocks(r dialogs.Reply) []slack.Block {
	return rd.blocks(r, maxMsgBlocks)
}

func (rd Renderer) blocks(r dialogs.Reply, limit int) []slack.Block {
	var out []slack.Block
	if r.Title != "" {
		out = append(out, slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, plain(r.Title, rd.Command, maxHeader), true, false)))
	}
	for _, p := range r.Parts {
		out = append(out, rd.part(p)...)
	}
	if a := rd.actions(r.Actions); a != nil {
		if len(out) >= limit {
			out = out[:limit-1]
		}
		out = append(out, a)
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func (rd Renderer) part(p dialogs.Part) []slack.Block {
	switch p.Kind {
	case dialogs.Divider:
		return []slack.Block{slack.NewDividerBlock()}
	case dialogs.Context:
		t := clipMrkdwn(Mrkdwn(p.Text, rd.Command), maxSectionText)
		return []slack.Block{slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, t, false, false))}
	}
	return sections(Mrkdwn(p.Text, rd.Command))
}

// sections lays converted mrkdwn out as section blocks within Slack's
// limit per section.
func sections(text string) []slack.Block {
	var out []slack.Block
	for _, piece := range splitMrkdwn(text, maxSectionText) {
		out = append(out, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, piece, false, false), nil, nil))
	}
	return out
}

func (rd Renderer) actions(acts []dialogs.Action) slack.Block {
	if len(acts) == 0 {
		return nil
	}
	var els []slack.BlockElement
	for i, a := range acts {
		if i == maxActions {
			break
		}
		b := slack.NewButtonBlockElement(actionID(i), a.Value, slack.NewTextBlockObject(slack.PlainTextType, plain(a.Label, rd.Command, maxButtonText), true, false))
		b.Style = slack.Style(a.Style)
		if c := a.Confirm; c != nil {
			b.Confirm = slack.NewConfirmationBlockObject(
				slack.NewTextBlockObject(slack.PlainTextType, clip(c.Title, 100), false, false),
				slack.NewTextBlockObject(slack.PlainTextType, clip(c.Text, 300), false, false),
				slack.NewTextBlockObject(slack.PlainTextType, clip(c.OK, 30), false, false),
				slack.NewTextBlockObject(slack.PlainTextType, clip(c.Cancel, 30), false, false))
			if a.Style == dialogs.Danger {
				b.Confirm.WithStyle(slack.StyleDanger)
			}
		}
		els = append(els, b)
	}
	return slack.NewActionBlock("cais_actions", els...)
}

// actionPrefix marks our buttons' action_ids.
const actionPrefix = "cais_"

func actionID(i int) string { return actionPrefix + string(rune('a'+i)) }

// Fallback is the notification text for a reply. Slack parses it as
// mrkdwn, so it is escaped like any other text.
func (rd Renderer) Fallback(r dialogs.Reply) string {
	if t := adapter.FallbackText(r); t != "" {
		return escapeMrkdwn(plain(t, rd.Command, 300))
	}
	return "caisbot"
}

// maxFallbackText bounds a message's notification text; Slack truncates
// at 40,000 characters, and a notification needs far fewer.
const maxFallbackText = 3000

// publicBlocks lays out a public progress line: however long the user
// text in it (ten agent names full of escaped "&"), every section stays
// within Slack's limit, and so does the number of blocks.
func publicBlocks(text string) []slack.Block {
	b := sections(text)
	if len(b) > maxMsgBlocks {
		b = b[:maxMsgBlocks]
	}
	return b
}
