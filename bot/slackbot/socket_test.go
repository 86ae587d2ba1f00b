package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// fakeSocket is Slack's side of Socket Mode: apps.connections.open hands
// out a websocket URL; the websocket sends envelopes and reads acks.
type fakeSocket struct {
	srv     *httptest.Server
	opens   atomic.Int32
	conns   chan *websocket.Conn
	appAuth atomic.Value
}

func newFakeSocket(t *testing.T) *fakeSocket {
	f := &fakeSocket{conns: make(chan *websocket.Conn, 4)}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		f.opens.Add(1)
		f.appAuth.Store(r.Header.Get("Authorization"))
		fmt.Fprintf(w, `{"ok":true,"url":"ws://%s/ws"}`, r.Host)
	})
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","num_connections":1,"connection_info":{"app_id":"A1"},"debug_info":{"host":"fake","approximate_connection_time":18060}}`))
		f.conns <- c
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSocket) conn(t *testing.T) *websocket.Conn {
	t.Helper()
	select {
	case c := <-f.conns:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("the bot did not connect")
		return nil
	}
}

// send delivers an envelope and returns the ack's payload and its delay.
func send(t *testing.T, c *websocket.Conn, id, typ string, payload any) (json.RawMessage, time.Duration) {
	t.Helper()
	env, _ := json.Marshal(map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": true})
	start := time.Now()
	if err := c.WriteMessage(websocket.TextMessage, env); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("no ack for %s: %v", id, err)
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(b, &ack) == nil && ack.EnvelopeID == id {
			return ack.Payload, time.Since(start)
		}
	}
}

func TestSocketMode(t *testing.T) {
	r := newRig(t)
	f := newFakeSocket(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(f.srv.URL+"/api/"), slack.OptionAppLevelToken("xapp-1-test"))
	client := socketmode.New(api, socketmode.OptionLog(log.New(io.Discard, "", 0)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = r.h.RunSocketMode(ctx, client) }()

	c := f.conn(t)
	if got := f.appAuth.Load(); got != "Bearer xapp-1-test" {
		t.Fatalf("apps.connections.open authorization %q", got)
	}
	cmd := map[string]any{"team_id": team, "channel_id": chanID, "user_id": "U1", "command": "/cais-next", "text": "", "response_url": r.slack.ResponseURL("sock")}
	payload, took := send(t, c, "env-1", "slash_commands", cmd)
	if took > 3*time.Second {
		t.Errorf("ack after %v, Slack allows 3 s", took)
	}
	m, card := decode(t, payload)
	if m.ResponseType != "ephemeral" || !strings.HasPrefix(header(card), "Step 1:") {
		t.Fatalf("slash command over the socket: %s", payload)
	}
	btn := button(t, card, "Yes")
	click := map[string]any{"type": "block_actions", "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": team},
		"channel": map[string]any{"id": chanID}, "response_url": r.slack.ResponseURL("sockclick"),
		"actions": []map[string]any{{"type": "button", "block_id": "cais_actions", "action_id": btn.ActionID, "value": btn.Value, "action_ts": "1.2"}}}
	send(t, c, "env-2", "interactive", click)
	if h := header(r.responded("sockclick")); !strings.HasPrefix(h, "Step 2:") {
		t.Fatalf("click over the socket gave %q", h)
	}
	// Slack drops the connection: the client reconnects by itself.
	c.Close()
	c = f.conn(t)
	if f.opens.Load() < 2 {
		t.Fatalf("apps.connections.open called %d times, want a reconnect", f.opens.Load())
	}
	home := map[string]any{"type": "event_callback", "team_id": team, "event_id": "Ev1", "event": map[string]any{"type": "app_home_opened", "user": "U1", "tab": "home"}}
	send(t, c, "env-3", "events_api", home)
	if !strings.Contains(text(r.lastHome(1)), "✅ *Step 1:") {
		t.Fatal("app_home_opened over the socket did not publish the Home tab")
	}
	if r.audit() != 1 {
		t.Fatalf("audit entries %d, want 1", r.audit())
	}
}

// slowStore makes every load take a while, to catch work cut short; it
// says when a load has started.
type slowStore struct {
	dialogs.Store
	started chan struct{}
}

func (s slowStore) Load(ctx context.Context, f firm.ID) (dialogs.Progress, error) {
	select {
	case s.started <- struct{}{}:
	default:
	}
	time.Sleep(300 * time.Millisecond)
	return s.Store.Load(ctx, f)
}

// TestSocketModeDrainsOnShutdown stops the bot while an envelope is being
// handled: it is still answered and acknowledged before the socket closes.
func TestSocketModeDrainsOnShutdown(t *testing.T) {
	r := newRig(t)
	started := make(chan struct{}, 1)
	r.h.cfg.Service.Store = slowStore{r.h.cfg.Service.Store, started}
	f := newFakeSocket(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(f.srv.URL+"/api/"), slack.OptionAppLevelToken("xapp-1-test"))
	client := socketmode.New(api, socketmode.OptionLog(log.New(io.Discard, "", 0)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.h.RunSocketMode(ctx, client) }()
	c := f.conn(t)
	env, _ := json.Marshal(map[string]any{"envelope_id": "env-drain", "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{"team_id": team, "channel_id": chanID, "user_id": "U1", "command": "/cais-next", "text": ""}})
	if err := c.WriteMessage(websocket.TextMessage, env); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the envelope was never handled")
	}
	cancel() // SIGTERM while the envelope is in flight
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("the in-flight envelope was not acknowledged before the socket closed: %v", err)
		}
		if strings.Contains(string(b), `"envelope_id":"env-drain"`) {
			if !strings.Contains(string(b), "Step 1:") {
				t.Fatalf("ack without the card: %s", b)
			}
			break
		}
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RunSocketMode did not return after the drain")
	}
}
