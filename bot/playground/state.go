package playground

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Bounds on what the playground keeps in memory.
const (
	maxMessages     = 500
	maxResponseURLs = 1000
	maxTriggers     = 1000
	maxLogEntries   = 200
	maxFiles        = 20
	maxFileSize     = 10 << 20

	triggerTTL      = 3 * time.Second // as Slack: views.open within 3 s of the action
	responseURLTTL  = 30 * time.Minute
	responseURLUses = 5
)

// Message is a message as the playground holds it.
type Message struct {
	TS       string          `json:"ts"`
	Channel  string          `json:"channel"`
	User     string          `json:"user,omitempty"` // the author: a configured user or BotUserID
	BotID    string          `json:"bot_id,omitempty"`
	Text     string          `json:"text"`
	Blocks   json.RawMessage `json:"blocks,omitempty"`
	Metadata *Metadata       `json:"metadata,omitempty"`
	Files    []File          `json:"files,omitempty"`
	ThreadTS string          `json:"thread_ts,omitempty"`
	Edited   bool            `json:"edited,omitempty"`
	// Ephemeral messages are seen by VisibleTo only, and never by
	// conversations.history.
	Ephemeral bool   `json:"ephemeral,omitempty"`
	VisibleTo string `json:"visible_to,omitempty"`
	// System marks the playground's own notes (the bot's HTTP errors, slow
	// answers), shown to VisibleTo like Slackbot's.
	System bool `json:"system,omitempty"`
}

// Metadata is a message's event metadata (chat.postMessage "metadata").
type Metadata struct {
	EventType    string          `json:"event_type"`
	EventPayload json.RawMessage `json:"event_payload,omitempty"`
}

// File is a file shared in the channel through files.completeUploadExternal.
type File struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Title    string `json:"title"`
	Mimetype string `json:"mimetype"`
	Filetype string `json:"filetype"`
	Size     int    `json:"size"`
	URL      string `json:"url_private"` // download link served by the playground
}

// View is a modal or Home tab the bot opened or published.
type View struct {
	ID         string            `json:"id"`
	Type       string            `json:"type"` // "modal" or "home"
	User       string            `json:"user"`
	Hash       string            `json:"hash"`
	RootViewID string            `json:"root_view_id"`
	ExternalID string            `json:"external_id,omitempty"`
	Body       json.RawMessage   `json:"view"`             // the view as the bot sent it, block_ids filled in
	Errors     map[string]string `json:"errors,omitempty"` // response_action "errors", by block_id
}

// LogEntry is one line of the page's activity panel.
type LogEntry struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"` // "api", "to-bot", "response_url", "upload"
	Name   string    `json:"name"`
	OK     bool      `json:"ok"`
	Detail string    `json:"detail,omitempty"`
}

type responseTarget struct {
	user    string
	channel string
	ts      string // the message replace_original/delete_original act on
	follow  bool   // a slash command's: ts follows the latest answer
	created time.Time
	uses    int
}

type trigger struct {
	user string
	at   time.Time
}

type storedFile struct {
	File
	channel  string
	content  []byte
	uploaded bool
}

// state is everything the playground holds; guarded by Playground.mu.
type state struct {
	version uint64
	changed chan struct{} // closed and replaced on every change
	lastTS  int64
	seq     int

	messages      []*Message // oldest first
	responseURLs  map[string]*responseTarget
	responseOrder []string
	triggers      map[string]trigger
	triggerOrder  []string
	modals        map[string][]*View // per user, the stack, root first
	homes         map[string]*View
	files         map[string]*storedFile
	fileOrder     []string
	log           []LogEntry
}

func newState() *state {
	return &state{
		changed:      make(chan struct{}),
		responseURLs: map[string]*responseTarget{},
		triggers:     map[string]trigger{},
		modals:       map[string][]*View{},
		homes:        map[string]*View{},
		files:        map[string]*storedFile{},
	}
}

// bump records a change and wakes every live stream. Call with mu held.
func (s *state) bump() {
	s.version++
	close(s.changed)
	s.changed = make(chan struct{})
}

// nextTS returns a unique, increasing Slack timestamp ("1700000000.000100").
func (s *state) nextTS(now time.Time) string {
	us := now.UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// nextID returns an ID with the prefix, e.g. "V0001AB12CD".
func (s *state) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%04d%s", prefix, s.seq, randomHex(3))
}

// randomHex is n random bytes in upper-case hex.
func randomHex(n int) string {
	return fmt.Sprintf("%X", randomBytes(n))
}

func (s *state) addMessage(m *Message) {
	s.messages = append(s.messages, m)
	if over := len(s.messages) - maxMessages; over > 0 {
		s.messages = slices.Delete(s.messages, 0, over)
	}
}

func (s *state) message(channel, ts string) *Message {
	for i := len(s.messages) - 1; i >= 0; i-- {
		if m := s.messages[i]; m.TS == ts && m.Channel == channel {
			return m
		}
	}
	return nil
}

func (s *state) messageByTS(ts string) *Message {
	for i := len(s.messages) - 1; i >= 0; i-- {
		if s.messages[i].TS == ts {
			return s.messages[i]
		}
	}
	return nil
}

func (s *state) deleteMessage(ts string) {
	s.messages = slices.DeleteFunc(s.messages, func(m *Message) bool { return m.TS == ts })
}

func (s *state) newResponseURL(t *responseTarget) string {
	id := hex.EncodeToString(randomBytes(12))
	s.responseURLs[id] = t
	s.responseOrder = append(s.responseOrder, id)
	if over := len(s.responseOrder) - maxResponseURLs; over > 0 {
		for _, old := range s.responseOrder[:over] {
			delete(s.responseURLs, old)
		}
		s.responseOrder = slices.Delete(s.responseOrder, 0, over)
	}
	return id
}

// newTrigger returns a trigger_id shaped like Slack's, bound to the user.
func (s *state) newTrigger(user string, now time.Time) string {
	s.seq++
	id := strconv.Itoa(s.seq) + "." + strconv.FormatInt(now.Unix(), 10) + "." + hex.EncodeToString(randomBytes(16))
	s.triggers[id] = trigger{user: user, at: now}
	s.triggerOrder = append(s.triggerOrder, id)
	if over := len(s.triggerOrder) - maxTriggers; over > 0 {
		for _, old := range s.triggerOrder[:over] {
			delete(s.triggers, old)
		}
		s.triggerOrder = slices.Delete(s.triggerOrder, 0, over)
	}
	return id
}

func (s *state) addLog(e LogEntry) {
	s.log = append(s.log, e)
	if over := len(s.log) - maxLogEntries; over > 0 {
		s.log = slices.Delete(s.log, 0, over)
	}
}

func (s *state) addFile(f *storedFile) {
	s.files[f.ID] = f
	s.fileOrder = append(s.fileOrder, f.ID)
	if over := len(s.fileOrder) - maxFiles; over > 0 {
		for _, old := range s.fileOrder[:over] {
			delete(s.files, old)
		}
		s.fileOrder = slices.Delete(s.fileOrder, 0, over)
	}
}

// findView returns the user's modal or Home view with that ID.
func (s *state) findView(id string) *View {
	for _, stack := range s.modals {
		for _, v := range stack {
			if v.ID == id {
				return v
			}
		}
	}
	for _, v := range s.homes {
		if v.ID == id {
			return v
		}
	}
	return nil
}

func (s *state) findViewByExternalID(ext string) *View {
	for _, stack := range s.modals {
		for _, v := range stack {
			if v.ExternalID == ext {
				return v
			}
		}
	}
	for _, v := range s.homes {
		if v.ExternalID == ext {
			return v
		}
	}
	return nil
}

func (s *state) newHash(now time.Time) string {
	return fmt.Sprintf("%d.%s", now.Unix(), hex.EncodeToString(randomBytes(4)))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// note adds a line to the activity panel and the logger. Call without mu.
func (p *Playground) note(e LogEntry) {
	e.Time = time.Now()
	if !e.OK {
		p.log.Warn("playground: "+e.Kind+" "+e.Name+" failed", "detail", e.Detail)
	} else {
		p.log.Debug("playground: "+e.Kind+" "+e.Name, "detail", e.Detail)
	}
	p.mu.Lock()
	p.st.addLog(e)
	p.st.bump()
	p.mu.Unlock()
}

// Messages returns a copy of the messages the playground holds, oldest first,
// ephemeral ones and the playground's own notes included.
func (p *Playground) Messages() []Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Message, len(p.st.messages))
	for i, m := range p.st.messages {
		out[i] = copyMessage(m)
	}
	return out
}

// Modals returns the user's open modal stack, root first.
func (p *Playground) Modals(userID string) []View {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []View
	for _, v := range p.st.modals[userID] {
		out = append(out, copyView(v))
	}
	return out
}

// Home returns the Home tab view published for the user, if any.
func (p *Playground) Home(userID string) (View, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.st.homes[userID]
	if !ok {
		return View{}, false
	}
	return copyView(v), true
}

// Log returns the activity panel's lines, oldest first.
func (p *Playground) Log() []LogEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.st.log)
}

func copyMessage(m *Message) Message {
	c := *m
	c.Blocks = slices.Clone(m.Blocks)
	c.Files = slices.Clone(m.Files)
	if m.Metadata != nil {
		md := *m.Metadata
		md.EventPayload = slices.Clone(md.EventPayload)
		c.Metadata = &md
	}
	return c
}

func copyView(v *View) View {
	c := *v
	c.Body = slices.Clone(v.Body)
	if v.Errors != nil {
		c.Errors = make(map[string]string, len(v.Errors))
		for k, e := range v.Errors {
			c.Errors[k] = e
		}
	}
	return c
}
