package playground

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// responseMessage is what the bot sends to a response_url, and the JSON body
// of its answer to a slash command.
type responseMessage struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
	Metadata        json.RawMessage `json:"metadata"`
}

func (p *Playground) handleResponseURL(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	var msg responseMessage
	if err == nil {
		err = decodeJSON(body, &msg)
	}
	if err != nil {
		p.note(LogEntry{Kind: "response_url", Name: "post", Detail: "not JSON: " + err.Error()})
		writeJSON(w, http.StatusBadRequest, fail("invalid_payload"))
		return
	}

	p.mu.Lock()
	t, ok := p.st.responseURLs[id]
	code := ""
	switch {
	case !ok || time.Since(t.created) > responseURLTTL:
		code = "expired_url"
	case t.uses >= responseURLUses:
		code = "used_url"
	default:
		t.uses++
	}
	p.mu.Unlock()
	if code != "" {
		p.note(LogEntry{Kind: "response_url", Name: "post", Detail: code})
		writeJSON(w, http.StatusNotFound, fail(code))
		return
	}
	if errs := p.respond(id, msg); len(errs) > 0 {
		out := fail("invalid_blocks", errs...)
		p.note(LogEntry{Kind: "response_url", Name: "post", Detail: "invalid_blocks"})
		writeJSON(w, http.StatusOK, out)
		return
	}
	what := "new message"
	switch {
	case msg.DeleteOriginal:
		what = "delete_original"
	case msg.ReplaceOriginal:
		what = "replace_original"
	}
	p.note(LogEntry{Kind: "response_url", Name: what, OK: true})
	writeJSON(w, http.StatusOK, jsonObject{"ok": true})
}

// respond applies a message sent through the response URL id (or the slash
// command answer of that context) as Slack does: delete_original,
// replace_original, or a new message, ephemeral unless response_type is
// in_channel. It returns Slack-style errors for invalid blocks.
func (p *Playground) respond(id string, msg responseMessage) []string {
	c, bad := readContent(msg.Text, true, msg.Blocks, msg.Metadata)
	if bad != nil {
		if errs, ok := bad["errors"].([]string); ok {
			return errs
		}
		code, _ := bad["error"].(string)
		return []string{code}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.st.responseURLs[id]
	if !ok {
		return []string{"expired_url"}
	}
	defer p.st.bump()
	orig := p.st.message(t.channel, t.ts)
	if t.ts != "" && orig != nil {
		if msg.DeleteOriginal {
			p.st.deleteMessage(orig.TS)
			return nil
		}
		if msg.ReplaceOriginal {
			orig.Text, orig.Blocks = c.text, c.blocks
			if msg.ResponseType == "in_channel" {
				orig.Ephemeral, orig.VisibleTo = false, ""
			}
			orig.Edited = !orig.Ephemeral
			return nil
		}
	} else if msg.DeleteOriginal {
		return nil
	}
	if c.text == "" && c.blocks == nil {
		return nil
	}
	m := &Message{
		TS: p.st.nextTS(time.Now()), Channel: t.channel, User: BotUserID, BotID: BotID,
		Text: c.text, Blocks: c.blocks, Metadata: c.metadata, ThreadTS: msg.ThreadTS,
	}
	if msg.ResponseType != "in_channel" {
		m.Ephemeral, m.VisibleTo = true, t.user
	}
	p.st.addMessage(m)
	if t.follow {
		t.ts = m.TS
	}
	return nil
}
