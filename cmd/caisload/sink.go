package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// buttonSlow decodes a message to find a styled button (the fallback of
// button when the message is not laid out as expected).
func buttonSlow(msg []byte, style string) (actionID, value string, ok bool) {
	var m struct {
		Blocks []struct {
			Elements []struct {
				Type     string `json:"type"`
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
				Style    string `json:"style"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	if json.Unmarshal(msg, &m) != nil {
		return "", "", false
	}
	for _, b := range m.Blocks {
		for _, e := range b.Elements {
			if e.Type == "button" && e.Style == style {
				return e.ActionID, e.Value, true
			}
		}
	}
	return "", "", false
}

// viewOpened is what the generator needs from a views.open call to submit
// the modal as Slack would.
type viewOpened struct {
	CallbackID string
	Meta       string
	BlockID    string
	ActionID   string
}

// sink is the fake Slack the bot talks to during a run: the Web API
// (chat.postMessage, views.open, views.publish, …) and every response_url.
// It answers at once with the smallest body slack-go accepts. Cards posted
// to a response_url are handed to the worker waiting for them.
type sink struct {
	srv  *http.Server
	ln   net.Listener
	base string

	waiters  sync.Map // response id (uint64) → chan []byte
	triggers sync.Map // trigger_id → viewOpened
	// hang holds every answer back this long (or until the bot gives
	// up, or Slack recovers): a Slack that does not answer. What was
	// posted is still handed to the workers at once, so the load goes on.
	hang     atomic.Int64 // time.Duration
	released chan struct{}
	recover  sync.Once

	postMessage, viewsOpen, viewsPublish, otherAPI atomic.Int64
	responses, unexpected                          atomic.Int64
	conns                                          atomic.Int64 // TCP connections the bot opened to us
}

// newSink serves the fake on addr ("127.0.0.1:0" for any port).
func newSink(addr string) (*sink, error) {
	s := &sink{released: make(chan struct{})}
	if addr == "" {
		s.base = "http://sink.invalid" // in memory only, through memTransport
		return s, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.ln = ln
	s.base = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.conns.Add(1)
			}
		}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *sink) close() {
	if s.srv != nil {
		_ = s.srv.Close()
	}
}

// hangFor makes every answer wait d (0: answer at once).
func (s *sink) hangFor(d time.Duration) { s.hang.Store(int64(d)) }

// hanging is how long answers wait now.
func (s *sink) hanging() time.Duration { return time.Duration(s.hang.Load()) }

// recovered ends the hang: answers held back go out now, new ones at once.
func (s *sink) recovered() {
	s.recover.Do(func() {
		s.hangFor(0)
		close(s.released)
	})
}

// apiURL is the bot's SLACK_API_URL.
func (s *sink) apiURL() string { return s.base + "/api/" }

// responseURL is the response_url of request id.
func (s *sink) responseURL(id uint64) string {
	return s.base + "/response/" + strconv.FormatUint(id, 10)
}

// expect registers a waiter for the card posted to response_url id.
func (s *sink) expect(id uint64) chan []byte {
	ch := make(chan []byte, 1)
	s.waiters.Store(id, ch)
	return ch
}

func (s *sink) forget(id uint64) { s.waiters.Delete(id) }

// opened returns (once) the modal opened with triggerID, if any.
func (s *sink) opened(triggerID string) (viewOpened, bool) {
	v, ok := s.triggers.LoadAndDelete(triggerID)
	if !ok {
		return viewOpened{}, false
	}
	return v.(viewOpened), true
}

var (
	okPost    = []byte(`{"ok":true,"channel":"C0LOAD","ts":"1700000000.000100"}`)
	okView    = []byte(`{"ok":true,"view":{"id":"V0LOAD","type":"modal"}}`)
	okPlain   = []byte(`{"ok":true}`)
	okRespond = []byte("ok")
)

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	answer := s.take(r.URL.Path, body)
	if d := s.hanging(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-s.released:
		}
		t.Stop()
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(answer)
}

// take counts and records a call and returns the answer to it.
func (s *sink) take(path string, body []byte) []byte {
	switch {
	case strings.HasPrefix(path, "/response/"):
		s.responses.Add(1)
		id, err := strconv.ParseUint(path[len("/response/"):], 10, 64)
		if ch, ok := s.waiters.Load(id); ok && err == nil {
			select {
			case ch.(chan []byte) <- body:
			default: // a second post to one response_url: keep the first
			}
		} else {
			s.unexpected.Add(1)
		}
		return okRespond
	case path == "/api/chat.postMessage":
		s.postMessage.Add(1)
		return okPost
	case path == "/api/views.open":
		s.viewsOpen.Add(1)
		s.recordView(body)
		return okView
	case path == "/api/views.publish":
		s.viewsPublish.Add(1)
		return okView
	}
	s.otherAPI.Add(1)
	return okPlain
}

// recordView keeps what a views.open asked for, under its trigger_id.
func (s *sink) recordView(body []byte) {
	var req struct {
		TriggerID string `json:"trigger_id"`
		View      struct {
			CallbackID string `json:"callback_id"`
			Meta       string `json:"private_metadata"`
			Blocks     []struct {
				Type    string `json:"type"`
				BlockID string `json:"block_id"`
				Element struct {
					ActionID string `json:"action_id"`
				} `json:"element"`
			} `json:"blocks"`
		} `json:"view"`
	}
	if json.Unmarshal(body, &req) != nil || req.TriggerID == "" {
		return
	}
	v := viewOpened{CallbackID: req.View.CallbackID, Meta: req.View.Meta}
	for _, b := range req.View.Blocks {
		if b.Type == "input" {
			v.BlockID, v.ActionID = b.BlockID, b.Element.ActionID
			break
		}
	}
	s.triggers.Store(req.TriggerID, v)
}

// memTransport serves the sink without a network, for benchmarks that
// profile the bot alone.
type memTransport struct{ s *sink }

func (t memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.s.ServeHTTP(rec, r)
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return rec.Result(), nil
}

func (s *sink) counts() map[string]int64 {
	return map[string]int64{
		"chat.postMessage": s.postMessage.Load(), "views.open": s.viewsOpen.Load(), "views.publish": s.viewsPublish.Load(),
		"other Web API": s.otherAPI.Load(), "response_url": s.responses.Load(), "response_url (nobody waiting)": s.unexpected.Load(),
		"new TCP connections": s.conns.Load(),
	}
}
