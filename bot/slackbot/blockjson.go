package slackbot

import (
	"unicode/utf8"

	"github.com/caisbot/caisbot/dialogs"
)

// A message's JSON is written here directly, not built as slack-go blocks
// and encoded by reflection: that was a sixth of a click's allocations and
// the largest share of the bot's own CPU. The bytes are exactly what
// json.Marshal makes of message{…, Blocks: Renderer.Blocks(r)}
// (TestMessageJSONMatchesSlackGo and its fuzz hold them to it), so Slack
// sees no difference; Renderer.Blocks stays for the Web API calls that
// take blocks (Home, modals, ephemeral messages).

// appendMessage appends the JSON of r as an ephemeral reply, replacing
// the clicked message if replace.
func (rd Renderer) appendMessage(b []byte, r dialogs.Reply, replace bool) []byte {
	b = append(b, `{"response_type":"ephemeral",`...)
	if replace {
		b = append(b, `"replace_original":true,`...)
	}
	b = append(b, `"text":`...)
	b = appendJSONString(b, rd.Fallback(r))
	mark := len(b)
	b = append(b, `,"blocks":[`...)
	b, n := rd.appendBlocks(b, r, maxMsgBlocks)
	if n == 0 { // omitempty
		return append(b[:mark], '}')
	}
	return append(b, "]}"...)
}

// appendBlocks appends what Renderer.blocks makes of r, comma-separated,
// and how many blocks it wrote: the header and the parts' blocks, as many
// as fit beside the actions within limit.
func (rd Renderer) appendBlocks(b []byte, r dialogs.Reply, limit int) ([]byte, int) {
	room := limit
	if len(r.Actions) > 0 {
		room = limit - 1
	}
	n := 0
	next := func() bool {
		if n == room {
			return false
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		return true
	}
	if r.Title != "" && next() {
		b = append(b, `{"type":"header","text":`...)
		b = appendPlainText(b, plain(r.Title, rd.Command, maxHeader), true)
		b = append(b, '}')
	}
	for _, p := range r.Parts {
		switch p.Kind {
		case dialogs.Divider:
			if next() {
				b = append(b, `{"type":"divider"}`...)
			}
		case dialogs.Context:
			if next() {
				b = append(b, `{"type":"context","elements":[{"type":"mrkdwn","text":`...)
				b = appendJSONString(b, clipMrkdwn(Mrkdwn(p.Text, rd.Command), maxSectionText))
				b = append(b, "}]}"...)
			}
		default:
			for _, piece := range splitMrkdwn(Mrkdwn(p.Text, rd.Command), maxSectionText) {
				if !next() {
					break
				}
				b = append(b, `{"type":"section","text":{"type":"mrkdwn","text":`...)
				b = appendJSONString(b, piece)
				b = append(b, "}}"...)
			}
		}
	}
	if len(r.Actions) > 0 {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = rd.appendActions(b, r.Actions)
	}
	return b, n
}

// appendActions appends the actions block of Renderer.actions.
func (rd Renderer) appendActions(b []byte, acts []dialogs.Action) []byte {
	b = append(b, `{"type":"actions","block_id":"cais_actions","elements":[`...)
	for i, a := range acts {
		if i == maxActions {
			break
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"button","text":`...)
		b = appendPlainText(b, plain(a.Label, rd.Command, maxButtonText), true)
		b = append(b, `,"action_id":`...)
		b = appendJSONString(b, actionID(i))
		if a.Value != "" {
			b = append(b, `,"value":`...)
			b = appendJSONString(b, a.Value)
		}
		if c := a.Confirm; c != nil {
			b = append(b, `,"confirm":{"title":`...)
			b = appendPlainText(b, clip(c.Title, 100), false)
			b = append(b, `,"text":`...)
			b = appendPlainText(b, clip(c.Text, 300), false)
			b = append(b, `,"confirm":`...)
			b = appendPlainText(b, clip(c.OK, 30), false)
			b = append(b, `,"deny":`...)
			b = appendPlainText(b, clip(c.Cancel, 30), false)
			if a.Style == dialogs.Danger {
				b = append(b, `,"style":"danger"`...)
			}
			b = append(b, '}')
		}
		if a.Style != "" {
			b = append(b, `,"style":`...)
			b = appendJSONString(b, string(a.Style))
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendPlainText appends a plain_text object.
func appendPlainText(b []byte, text string, emoji bool) []byte {
	b = append(b, `{"type":"plain_text","text":`...)
	b = appendJSONString(b, text)
	if emoji {
		return append(b, `,"emoji":true}`...)
	}
	return append(b, `,"emoji":false}`...)
}

// jsonSafe marks the ASCII bytes encoding/json writes as they are (its
// htmlSafeSet): printable, but not the quote, the backslash, <, > or &.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONString appends s as encoding/json writes a string (HTML-safe:
// <, > and & escaped; invalid UTF-8 as U+FFFD; U+2028 and U+2029 escaped).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
