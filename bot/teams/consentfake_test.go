package teams

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// personalConv is the personal chat the fake connector opens with user.
func personalConv(user string) string { return "a:personal-" + user }

// createConversation answers POST /v3/conversations as the connector
// does for a 1:1 chat: the chat's id, the same each time.
func (f *fakeBF) createConversation(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.recordID(r, body, "")
	f.mu.Lock()
	status := -1
	if len(f.convFail) > 0 {
		status, f.convFail = f.convFail[0], f.convFail[1:]
	}
	f.mu.Unlock()
	switch status {
	case -1:
	case 0:
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		return
	default:
		w.WriteHeader(status)
		_, _ = fmt.Fprint(w, `{"error":{"code":"Forbidden","message":"test"}}`)
		return
	}
	var p conversationParams
	if json.Unmarshal(body, &p) != nil || len(p.Members) != 1 || p.IsGroup {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"id": personalConv(p.Members[0].ID)})
}

func (f *fakeBF) failConversations(statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.convFail = append(f.convFail, statuses...)
}

// put is one upload the fake OneDrive received.
type put struct {
	Method string
	Header http.Header
	Body   []byte
}

// fakeDrive is the upload URL Teams hands out on accept: it records
// every request and answers statuses queued with answer (0: hang until
// the caller gives up), else 201.
type fakeDrive struct {
	*httptest.Server
	mu      sync.Mutex
	puts    []put
	answers []int
	retry   string
}

func newFakeDrive(t testing.TB) *fakeDrive {
	d := &fakeDrive{}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d.mu.Lock()
		d.puts = append(d.puts, put{Method: r.Method, Header: r.Header.Clone(), Body: body})
		status := http.StatusCreated
		if len(d.answers) > 0 {
			status, d.answers = d.answers[0], d.answers[1:]
		}
		retry := d.retry
		d.mu.Unlock()
		if status == 0 {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		if retry != "" && status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", retry)
		}
		w.WriteHeader(status)
		_, _ = fmt.Fprint(w, `{"id":"drive-item-1"}`)
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *fakeDrive) answer(retryAfter string, statuses ...int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.answers, d.retry = append(d.answers, statuses...), retryAfter
}

func (d *fakeDrive) Puts() []put {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]put(nil), d.puts...)
}

// opened are the conversations the bot asked the connector to create.
func (f *fakeBF) opened() []call {
	var out []call
	for _, c := range f.Calls(http.MethodPost, "/v3/conversations") {
		if c.Path == "/v3/conversations" {
			out = append(out, c)
		}
	}
	return out
}
