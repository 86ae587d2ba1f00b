package playground

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// apiArgs are a Web API call's arguments, sent form-encoded or as JSON.
type apiArgs struct {
	form url.Values
	json map[string]json.RawMessage
}

func readArgs(r *http.Request) (apiArgs, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 4<<20))
	if err != nil {
		return apiArgs{}, err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		a := apiArgs{json: map[string]json.RawMessage{}}
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &a.json); err != nil {
				return apiArgs{}, err
			}
		}
		return a, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return apiArgs{}, err
	}
	for k, v := range r.URL.Query() {
		if !form.Has(k) {
			form[k] = v
		}
	}
	return apiArgs{form: form}, nil
}

func (a apiArgs) has(k string) bool {
	if a.json != nil {
		v, ok := a.json[k]
		return ok && string(v) != "null"
	}
	return a.form.Has(k)
}

// str is a string argument; a JSON non-string is returned as written.
func (a apiArgs) str(k string) string {
	if a.json == nil {
		return a.form.Get(k)
	}
	raw, ok := a.json[k]
	if !ok || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// raw is a JSON argument (blocks, view, metadata): Slack takes it as JSON or
// as a string holding JSON.
func (a apiArgs) raw(k string) json.RawMessage {
	if a.json == nil {
		if !a.form.Has(k) {
			return nil
		}
		return json.RawMessage(a.form.Get(k))
	}
	raw, ok := a.json[k]
	if !ok || string(raw) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return json.RawMessage(s)
	}
	return raw
}

func (a apiArgs) boolean(k string) bool {
	switch strings.ToLower(a.str(k)) {
	case "1", "true":
		return true
	}
	return false
}

func (a apiArgs) token(r *http.Request) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return a.str("token")
}

// apiMethod handles one Web API method; it returns the answer's fields, or
// an error answer made with fail.
type apiMethod func(p *Playground, a apiArgs) jsonObject

var apiMethods = map[string]apiMethod{
	"auth.test":                    (*Playground).authTest,
	"chat.postMessage":             (*Playground).chatPostMessage,
	"chat.postEphemeral":           (*Playground).chatPostEphemeral,
	"chat.update":                  (*Playground).chatUpdate,
	"chat.delete":                  (*Playground).chatDelete,
	"conversations.history":        (*Playground).conversationsHistory,
	"views.open":                   (*Playground).viewsOpen,
	"views.push":                   (*Playground).viewsPush,
	"views.update":                 (*Playground).viewsUpdate,
	"views.publish":                (*Playground).viewsPublish,
	"files.getUploadURLExternal":   (*Playground).filesGetUploadURLExternal,
	"files.completeUploadExternal": (*Playground).filesCompleteUploadExternal,
	"users.info":                   (*Playground).usersInfo,
	"users.conversations":          (*Playground).usersConversations,
	"conversations.open":           (*Playground).conversationsOpen,
}

// fail is a Slack error answer; details go to "errors" and
// response_metadata.messages as Slack does for invalid_blocks.
func fail(code string, details ...string) jsonObject {
	out := jsonObject{"ok": false, "error": code}
	if len(details) > 0 {
		out["errors"] = details
		msgs := make([]string, len(details))
		for i, d := range details {
			msgs[i] = "[ERROR] " + d
		}
		out["response_metadata"] = jsonObject{"messages": msgs}
	}
	return out
}

func (p *Playground) handleAPI(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("method")
	a, err := readArgs(r)
	var out jsonObject
	switch tok := a.token(r); {
	case err != nil:
		out = fail("invalid_form_data")
	case tok == "":
		out = fail("not_authed")
	case tok != Token:
		out = fail("invalid_auth")
	default:
		m, ok := apiMethods[name]
		if !ok {
			p.log.Warn("playground: the bot called a Web API method the playground does not emulate", "method", name)
			out = fail("unknown_method")
			break
		}
		out = m(p, a)
		if out["ok"] == nil {
			out["ok"] = true
		}
	}
	entry := LogEntry{Kind: "api", Name: name, OK: out["ok"] == true}
	if !entry.OK {
		entry.Detail, _ = out["error"].(string)
		if errs, ok := out["errors"].([]string); ok {
			entry.Detail += ": " + strings.Join(errs, "; ")
		}
	}
	p.note(entry)
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(encodeJSON(v))
}

func (p *Playground) authTest(apiArgs) jsonObject {
	return jsonObject{
		"url":                   p.cfg.BaseURL + "/",
		"team":                  "CAIS Playground",
		"user":                  BotName,
		"team_id":               p.cfg.TeamID,
		"user_id":               BotUserID,
		"bot_id":                BotID,
		"is_enterprise_install": false,
	}
}

// channel resolves a channel argument: the channel's ID, name or #name.
func (p *Playground) channel(arg string) (string, bool) {
	switch arg {
	case p.cfg.ChannelID, p.cfg.ChannelName, "#" + p.cfg.ChannelName:
		return p.cfg.ChannelID, true
	}
	return "", false
}

// content reads and checks the text, blocks and metadata of a message.
type content struct {
	text      string
	hasText   bool
	blocks    json.RawMessage
	hasBlocks bool
	metadata  *Metadata
}

func readContent(text string, hasText bool, blocksRaw, metaRaw json.RawMessage) (content, jsonObject) {
	c := content{text: text, hasText: hasText}
	if len(text) > maxMessageText {
		return c, fail("msg_too_long")
	}
	if len(blocksRaw) > 0 && string(blocksRaw) != "null" {
		blocks, errs := normalizeBlocks(blocksRaw, maxMessageBlocks)
		if len(errs) > 0 {
			return c, fail("invalid_blocks", errs...)
		}
		c.blocks, c.hasBlocks = encodeJSON(blocks), true
		if len(blocks) == 0 {
			c.blocks = nil
		}
	}
	if len(metaRaw) > 0 && string(metaRaw) != "null" {
		var md Metadata
		if err := json.Unmarshal(metaRaw, &md); err != nil {
			return c, fail("invalid_metadata_format")
		}
		if md.EventType != "" {
			c.metadata = &md
		}
	}
	return c, nil
}

func (p *Playground) chatPostMessage(a apiArgs) jsonObject {
	ch, ok := p.channel(a.str("channel"))
	dmTo := ""
	if _, isUser := p.userByID(a.str("channel")); !ok && isUser {
		// A post to a user ID is a direct message in Slack; the playground
		// has one channel, so it shows there, to that user only.
		ch, ok, dmTo = p.cfg.ChannelID, true, a.str("channel")
	}
	if !ok {
		return fail("channel_not_found")
	}
	c, bad := postedContent(a, a.raw("metadata"))
	if bad != nil {
		return bad
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.addBotMessage(&Message{Channel: ch, Text: c.text, Blocks: c.blocks, Metadata: c.metadata,
		ThreadTS: a.str("thread_ts"), Ephemeral: dmTo != "", VisibleTo: dmTo})
	return jsonObject{"channel": ch, "ts": m.TS, "message": p.messageObject(m, true)}
}

func (p *Playground) chatPostEphemeral(a apiArgs) jsonObject {
	ch, ok := p.channel(a.str("channel"))
	if !ok {
		return fail("channel_not_found")
	}
	if _, ok := p.userByID(a.str("user")); !ok {
		return fail("user_not_in_channel")
	}
	c, bad := postedContent(a, nil)
	if bad != nil {
		return bad
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.addBotMessage(&Message{Channel: ch, Text: c.text, Blocks: c.blocks, Ephemeral: true, VisibleTo: a.str("user")})
	return jsonObject{"message_ts": m.TS}
}

func (p *Playground) chatUpdate(a apiArgs) jsonObject {
	ch, ok := p.channel(a.str("channel"))
	if !ok {
		return fail("channel_not_found")
	}
	c, bad := readContent(a.str("text"), a.has("text"), a.raw("blocks"), a.raw("metadata"))
	if bad != nil {
		return bad
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.st.message(ch, a.str("ts"))
	switch {
	case m == nil || m.Ephemeral:
		return fail("message_not_found")
	case m.User != BotUserID:
		return fail("cant_update_message")
	}
	// As Slack: text replaces the text; blocks, when given, replace the
	// blocks (an empty array removes them); left out, they stay.
	if c.hasText {
		m.Text = c.text
	}
	if c.hasBlocks {
		m.Blocks = c.blocks
	}
	if c.metadata != nil {
		m.Metadata = c.metadata
	}
	m.Edited = true
	p.st.bump()
	return jsonObject{"channel": ch, "ts": m.TS, "text": m.Text, "message": p.messageObject(m, true)}
}

func (p *Playground) chatDelete(a apiArgs) jsonObject {
	ch, ok := p.channel(a.str("channel"))
	if !ok {
		return fail("channel_not_found")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.st.message(ch, a.str("ts"))
	switch {
	case m == nil || m.Ephemeral:
		return fail("message_not_found")
	case m.User != BotUserID:
		return fail("cant_delete_message")
	}
	p.st.deleteMessage(m.TS)
	p.st.bump()
	return jsonObject{"channel": ch, "ts": m.TS}
}

// messageObject is a message as the Web API returns it. Call with mu held.
func (p *Playground) messageObject(m *Message, withMetadata bool) jsonObject {
	out := jsonObject{"type": "message", "text": m.Text, "ts": m.TS, "team": p.cfg.TeamID}
	if m.User != "" {
		out["user"] = m.User
	}
	if m.BotID != "" {
		out["bot_id"] = m.BotID
		out["app_id"] = AppID
	}
	if len(m.Blocks) > 0 {
		out["blocks"] = m.Blocks
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if len(m.Files) > 0 {
		out["files"] = m.Files
		out["upload"] = false
	}
	if m.Edited {
		out["edited"] = jsonObject{"user": m.User, "ts": m.TS}
	}
	if withMetadata && m.Metadata != nil {
		out["metadata"] = m.Metadata
	}
	return out
}

// postedContent reads a new message's text and blocks as Slack does,
// refusing one with neither.
func postedContent(a apiArgs, metadata json.RawMessage) (content, jsonObject) {
	c, bad := readContent(a.str("text"), a.has("text"), a.raw("blocks"), metadata)
	if bad == nil && c.text == "" && c.blocks == nil && !a.has("attachments") {
		bad = fail("no_text")
	}
	return c, bad
}

// addBotMessage stamps m as the bot's and stores it; p.mu must be held.
func (p *Playground) addBotMessage(m *Message) *Message {
	m.TS, m.User, m.BotID = p.st.nextTS(time.Now()), BotUserID, BotID
	p.st.addMessage(m)
	p.st.bump()
	return m
}
