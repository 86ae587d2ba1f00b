package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
)

// Action.Execute (Universal Actions) gets the updated card as the
// invoke's response; the public line still goes to the conversation.
func TestActionExecute(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	card := r.say(u, "")
	a := r.activity(u, typeInvoke)
	a.Name, a.ReplyToID = "adaptiveCard/action", card.ID
	a.Value = mustJSON(map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "cais", "data": find(t, card.Card, "Yes").Data}})
	b, _ := json.Marshal(a)
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/api/messages", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+channelToken(t, testApp, a.ServiceURL))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r.h.Wait()
	var out struct {
		StatusCode int             `json:"statusCode"`
		Type       string          `json:"type"`
		Value      json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.StatusCode != 200 || out.Type != CardContentType {
		t.Fatalf("invoke response %+v (%v)", out, err)
	}
	if faults := validateCard(out.Value); len(faults) != 0 {
		t.Fatalf("invoke card: %v", faults)
	}
	var c Card
	_ = json.Unmarshal(out.Value, &c)
	if !strings.HasPrefix(title(c), "Step 2:") || r.audit() != 1 || len(r.publicLines()) != 1 {
		t.Fatalf("after Execute: %q, audit %d, public %d", title(c), r.audit(), len(r.publicLines()))
	}
	if n := len(r.bf.Calls(http.MethodPut, "/v3/")); n != 0 {
		t.Fatalf("Execute must not also PUT the card (%d)", n)
	}
}

// A confirmation saved while Teams refuses the card update is announced
// to the clicker, so nobody mistakes the stale card for a lost answer.
func TestCardUpdateFailureTellsTheUser(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	card := r.say(u, "")
	r.bf.failNext("", http.StatusInternalServerError)
	a := r.activity(u, typeMessage)
	a.ReplyToID, a.Value = card.ID, mustJSON(find(t, card.Card, "Yes").Data)
	r.post(a)
	var told bool
	for _, c := range r.bf.Calls(http.MethodPost, "/v3/") {
		told = told || strings.Contains(title(c.Card), "out of date")
	}
	if !told || r.audit() != 1 {
		t.Fatalf("told %v, audit %d: the confirmation must stand and the user be told", told, r.audit())
	}
}

// With Redis gone the user is told plainly, and nothing is recorded.
func TestRedisDownIsExplained(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	card := r.say(u, "")
	dead := redistest.Down(t)
	r.h.cfg.Service.Store = store.New(dead, "x:")
	out := r.click(card, "Yes", u)
	if title(out.Card) != "Temporarily unavailable" || !strings.Contains(cardString(out.Card), "Nothing was changed") {
		t.Fatalf("with Redis down: %s", cardString(out.Card))
	}
}

func TestConfigIsChecked(t *testing.T) {
	svc := &dialogs.Service{Flow: &dialogs.Flow{Roadmap: dialogs.Default(), Loc: time.UTC}}
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	once, err := adapter.NewOnce(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := Config{Scope: "workspace", Service: svc, Store: StoreDirectory(st.Directory(firm.Teams)), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Once: once}
	tests := map[string]func(*Config){
		"no service":           func(c *Config) { c.Service = nil },
		"no store":             func(c *Config) { c.Store = nil },
		"no once":              func(c *Config) { c.Once = nil },
		"bad scope":            func(c *Config) { c.Scope = "team" },
		"app id, no password":  func(c *Config) { c.AppID = testApp },
		"unknown app type":     func(c *Config) { c.AppID, c.AppPassword, c.AppType = testApp, "pw", "UserAssignedMSI" },
		"single, no tenant id": func(c *Config) { c.AppID, c.AppPassword, c.AppType = testApp, "pw", SingleTenant },
	}
	for name, mod := range tests {
		c := base
		mod(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := base
	c.AppID, c.AppPassword, c.AppType, c.TenantID = testApp, "pw", SingleTenant, "contoso"
	h, err := New(c)
	if err != nil || h.conn.Credentials.URL != TokenURL(SingleTenant, "contoso") {
		t.Fatalf("single tenant: %v", err)
	}
}

func TestObserverSeesEveryRequest(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	r := newRig(t, func(c *Config) {
		c.Observe = func(kind, outcome string, _ time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			seen[kind+"/"+outcome]++
		}
	})
	r.say(person("Uma One"), "status")
	r.postAuth(r.activity(person("Mallory"), typeMessage), "")
	resp, _ := http.Post(r.srv.URL, "application/json", strings.NewReader("{"))
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"message/ok", "unauthorized/rejected", "malformed/rejected"} {
		if seen[want] != 1 {
			t.Errorf("%s seen %d times (%v)", want, seen[want], seen)
		}
	}
}

// A click whose connection Teams has already closed is still recorded:
// the handler's budget, not the connection, bounds the work.
func TestClickCompletesAfterTeamsHangsUp(t *testing.T) {
	r := newRig(t)
	bea := person("Bea Brown")
	card := r.say(bea, "")
	a := r.activity(bea, typeMessage)
	a.ReplyToID = card.ID
	a.Value, _ = json.Marshal(find(t, card.Card, "Yes").Data)
	b, _ := json.Marshal(a)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client is gone before the bot starts
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/messages", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+channelToken(t, testApp, a.ServiceURL))
	r.h.ServeHTTP(httptest.NewRecorder(), req)
	r.h.Wait()

	p, err := r.store.Load(context.Background(), r.firm())
	if err != nil || p.Version != 1 || len(p.Path) != 1 {
		t.Fatalf("stored progress %+v, %v: want the confirmation recorded", p, err)
	}
}
