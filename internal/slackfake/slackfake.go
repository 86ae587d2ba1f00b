// Package slackfake is a recording fake of the Slack Web API and of
// response_url endpoints, for tests: Slack itself cannot be reached, so
// this is the one part of the system tests replace. It can answer errors
// and 429s on demand.
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one request the fake received.
type Call struct {
	Method string // Web API method, or "response_url" / "upload"
	Path   string
	Form   url.Values
	JSON   map[string]any
	Body   []byte
	Header http.Header
	At     time.Time
	// Invalid says why the fake refused the call's blocks, as Slack
	// would (invalid_blocks); empty when they were within the limits.
	Invalid string
	Token   string // the bot token it was made with (header or form)
}

// Failure is a canned error answer for the next call of a method.
type Failure struct {
	Status     int    // HTTP status (429, 500, …) or 200 with an error body
	Error      string // Slack error code for ok:false answers
	RetryAfter string // Retry-After header for 429s
	// Hang holds the answer back this long, or until the caller gives
	// up (a Slack that does not answer); with Status 0 the answer is then
	// the usual one.
	Hang time.Duration
}

// Server records calls and answers like Slack.
type Server struct {
	*httptest.Server
	mu      sync.Mutex
	calls   []Call
	fail    map[string][]Failure
	ts      int
	history map[string][]Message
	users   map[string]User
	grants  map[string]map[string]any // oauth.v2.access answers by code
	// members are the channels (id → name) users.conversations lists
	// for each user ("" for the bot).
	members map[string]map[string]string
}

// User is a workspace member as users.info returns them.
type User struct {
	ID, DisplayName, RealName string
}

// Message is a message chat.postMessage accepted, as conversations.history
// returns it: newest first, metadata only with include_all_metadata=1.
type Message struct {
	TS       string         `json:"ts"`
	Text     string         `json:"text"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// New starts a fake closed at the end of the test.
func New(tb testing.TB) *Server {
	s := &Server{fail: map[string][]Failure{}, history: map[string][]Message{}, users: map[string]User{}, grants: map[string]map[string]any{}, members: map[string]map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// APIURL is the Web API base to give slack.OptionAPIURL.
func (s *Server) APIURL() string { return s.URL + "/api/" }

// ResponseURL is a response_url the fake accepts.
func (s *Server) ResponseURL(id string) string { return s.URL + "/response/" + id }

// AddUser makes users.info know u; others are user_not_found.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// FailNext queues failures for the next calls of method.
func (s *Server) FailNext(method string, f ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[method] = append(s.fail[method], f...)
}

// Calls returns the calls of method so far ("" for all).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Wait polls until method has at least n calls or the timeout passes.
func (s *Server) Wait(tb testing.TB, method string, n int) []Call {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := s.Calls(method)
		if len(c) >= n {
			return c
		}
		if time.Now().After(deadline) {
			tb.Fatalf("slackfake: %d %s calls after 5s, want %d", len(c), method, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := Call{Path: r.URL.Path, Body: body, Header: r.Header.Clone(), At: time.Now()}
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		c.Method = strings.TrimPrefix(r.URL.Path, "/api/")
	case strings.HasPrefix(r.URL.Path, "/response/"):
		c.Method = "response_url"
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		c.Method = "upload"
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(body, &c.JSON)
	} else {
		c.Form, _ = url.ParseQuery(string(body))
	}
	c.Invalid = invalidBlocks(c)
	c.Token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if c.Token == "" && c.Form != nil {
		c.Token = c.Form.Get("token")
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	var f *Failure
	if q := s.fail[c.Method]; len(q) > 0 {
		f, s.fail[c.Method] = &q[0], q[1:]
	}
	if f == nil && c.Invalid != "" {
		f = &Failure{Status: http.StatusOK, Error: "invalid_blocks"}
		if c.Method == "response_url" {
			f.Status = http.StatusBadRequest
		}
	}
	s.ts++
	ts := s.ts
	if (f == nil || f.Status == 0) && c.Method == "chat.postMessage" {
		s.keep(c, ts)
	}
	s.mu.Unlock()
	if f != nil && f.Hang > 0 {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(f.Hang):
		}
	}
	if f != nil && f.Status != 0 {
		s.failWith(w, *f)
		return
	}
	s.answer(w, c, ts)
}

func stampOf(ts int) string { return fmt.Sprintf("1700000000.%06d", ts) }

// keep adds an accepted post to its channel's history (s.mu held).
func (s *Server) keep(c Call, ts int) {
	m := Message{TS: stampOf(ts), Text: c.param("text")}
	if raw := c.param("metadata"); raw != "" {
		_ = json.Unmarshal([]byte(raw), &m.Metadata)
	} else if md, ok := c.JSON["metadata"].(map[string]any); ok {
		m.Metadata = md
	}
	ch := c.param("channel")
	s.history[ch] = append(s.history[ch], m)
}

// History returns the messages posted to channel, oldest first.
func (s *Server) History(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.history[channel]...)
}

// historyPage answers conversations.history: newest first, up to limit
// (default 100), metadata only when asked for.
func (s *Server) historyPage(c Call) map[string]any {
	s.mu.Lock()
	all := s.history[c.param("channel")]
	msgs := make([]any, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		m := all[i]
		if c.param("include_all_metadata") != "1" {
			m.Metadata = nil
		}
		msgs = append(msgs, m)
	}
	s.mu.Unlock()
	limit := 100
	if n, err := strconv.Atoi(c.param("limit")); err == nil && n > 0 {
		limit = n
	}
	more := len(msgs) > limit
	msgs = msgs[:min(limit, len(msgs))]
	return map[string]any{"messages": msgs, "has_more": more}
}

func (s *Server) failWith(w http.ResponseWriter, f Failure) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.Status)
	code := f.Error
	if code == "" {
		code = "fatal_error"
		if f.Status == http.StatusTooManyRequests {
			code = "ratelimited"
		}
	}
	_, _ = fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
}

func (s *Server) answer(w http.ResponseWriter, c Call, ts int) {
	w.Header().Set("Content-Type", "application/json")
	stamp := stampOf(ts)
	var out map[string]any
	switch c.Method {
	case "response_url", "upload":
		_, _ = w.Write([]byte("ok"))
		return
	case "chat.postMessage", "chat.update":
		out = map[string]any{"channel": c.param("channel"), "ts": stamp}
	case "chat.postEphemeral":
		out = map[string]any{"message_ts": stamp}
	case "views.open", "views.publish", "views.update":
		out = map[string]any{"view": map[string]any{"id": "V" + stamp}}
	case "files.getUploadURLExternal":
		out = map[string]any{"upload_url": s.URL + "/upload/F1", "file_id": "F1"}
	case "files.completeUploadExternal":
		out = map[string]any{"files": []map[string]any{{"id": "F1", "title": "export"}}}
	case "conversations.history":
		out = s.historyPage(c)
	case "users.info":
		s.mu.Lock()
		u, known := s.users[c.param("user")]
		s.mu.Unlock()
		if !known {
			s.failWith(w, Failure{Status: http.StatusOK, Error: "user_not_found"})
			return
		}
		out = map[string]any{"user": map[string]any{"id": u.ID, "real_name": u.RealName,
			"profile": map[string]any{"display_name": u.DisplayName, "real_name": u.RealName}}}
	case "users.conversations":
		out = s.conversations(c.param("user"))
	case "conversations.open":
		out = map[string]any{"channel": map[string]any{"id": "D" + c.param("users")}}
	case "oauth.v2.access":
		if c.param("grant_type") == "refresh_token" {
			if out = s.grant(refreshGrant(c.param("refresh_token"))); out == nil {
				_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_refresh_token"}`))
				return
			}
		} else if out = s.grant(c.param("code")); out == nil {
			_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_code"}`))
			return
		}
	case "auth.test":
		out = map[string]any{"user_id": "UBOT", "team_id": "T1", "bot_id": "BBOT"}
	default:
		out = map[string]any{}
	}
	out["ok"] = true
	_ = json.NewEncoder(w).Encode(out)
}

// Grant makes oauth.v2.access answer code with resp (plus "ok": true),
// once: Slack's codes are single-use. Any other code is invalid_code.
func (s *Server) Grant(code string, resp map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.grants[code] = resp
}

// Refresh makes oauth.v2.access with grant_type=refresh_token answer
// refreshToken with resp, once: Slack's refresh tokens are single-use.
// Any other refresh token is invalid_refresh_token.
func (s *Server) Refresh(refreshToken string, resp map[string]any) {
	s.Grant(refreshGrant(refreshToken), resp)
}

func refreshGrant(token string) string { return "refresh\x00" + token }

func (s *Server) grant(code string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grants[code]
	delete(s.grants, code)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for k, v := range g {
		out[k] = v
	}
	return out
}

// param reads a parameter from a form or JSON body.
func (c Call) param(name string) string {
	if c.JSON != nil {
		v, _ := c.JSON[name].(string)
		return v
	}
	return c.Form.Get(name)
}

// Param is the exported form of param for tests.
func (c Call) Param(name string) string { return c.param(name) }
