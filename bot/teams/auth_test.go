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
)

// Requests that fail authentication change nothing and send nothing.
func TestUnauthenticatedRequestsAreRefused(t *testing.T) {
	r := newRig(t)
	u := person("Mallory")
	_, b := testKeys()
	tests := map[string]func(a *Activity) string{
		"no token":     func(*Activity) string { return "" },
		"not a bearer": func(*Activity) string { return "Basic dXNlcjpwYXNz" },
		"unknown key": func(a *Activity) string {
			return "Bearer " + signJWT(t, b, "key-b", claims(func(c map[string]any) { c["serviceurl"] = a.ServiceURL }))
		},
		"other service": func(a *Activity) string { return "Bearer " + channelToken(t, testApp, "https://evil.example/") },
		"other bot":     func(a *Activity) string { return "Bearer " + channelToken(t, "another-app", a.ServiceURL) },
	}
	for name, auth := range tests {
		a := r.activity(u, typeMessage)
		a.Text = "<at>caisbot</at> next"
		if st := r.postAuth(a, auth(a)); st != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, st)
		}
	}
	if n := len(r.bf.connectorCalls()); n != 0 {
		t.Fatalf("%d connector calls after refused requests", n)
	}
	if _, found, _ := r.dir.Conversation(context.Background(), channel); found {
		t.Fatal("a refused request was remembered")
	}
}

// The serviceUrl the token vouches for is the one replies go to: a token
// for one connector does not let an activity name another.
func TestServiceURLMustMatchToken(t *testing.T) {
	r := newRig(t)
	a := r.activity(person("Mallory"), typeMessage)
	auth := "Bearer " + channelToken(t, testApp, a.ServiceURL)
	a.ServiceURL = "https://attacker.example/"
	if st := r.postAuth(a, auth); st != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", st)
	}
}

// lockedBuffer is a log sink safe for the handler's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Without an app id: loopback only, no tokens either way, said once.
func TestLocalModeIsLoopbackOnly(t *testing.T) {
	var logs lockedBuffer
	r := newRig(t, func(c *Config) {
		c.AppID, c.AppPassword = "", ""
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	if n := strings.Count(logs.String(), "MICROSOFT_APP_ID is not set"); n != 1 {
		t.Fatalf("local mode announced %d times in the log:\n%s", n, logs.String())
	}
	u := person("Uma One")
	card := r.say(u, "") // the test server listens on 127.0.0.1
	if title(card.Card) == "" {
		t.Fatal("no card in local mode")
	}
	for _, c := range r.bf.connectorCalls() {
		if c.Auth != "" {
			t.Fatalf("local mode sent a token: %q", c.Auth)
		}
	}
	if n := len(r.bf.Calls("POST", "/token")); n != 0 {
		t.Fatalf("local mode asked for %d tokens", n)
	}
	b, _ := json.Marshal(r.activity(u, typeMessage))
	// A web page open in the same machine's browser cannot drive local mode.
	for name, set := range map[string]func(*http.Request){
		"cross-site fetch": func(q *http.Request) { q.Header.Set("Sec-Fetch-Site", "cross-site") },
		"foreign origin":   func(q *http.Request) { q.Header.Set("Origin", "http://evil.example") },
		"text/plain form":  func(q *http.Request) { q.Header.Set("Content-Type", "text/plain") },
	} {
		req := httptest.NewRequest(http.MethodPost, "/api/messages", bytes.NewReader(b))
		req.RemoteAddr = "127.0.0.1:5000"
		req.Header.Set("Content-Type", "application/json")
		set(req)
		w := httptest.NewRecorder()
		r.h.ServeHTTP(w, req)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, w.Code)
		}
	}
	remoteReply := r.activity(u, typeMessage)
	remoteReply.ServiceURL = "https://attacker.example/"
	if st := r.postAuth(remoteReply, ""); st != http.StatusUnauthorized {
		t.Errorf("a non-loopback serviceUrl in local mode: status %d, want 401", st)
	}
	for _, remote := range []string{"203.0.113.7:5000", "[2001:db8::1]:5000", "10.0.0.2:80", "127.0.0.1:80 via proxy"} {
		req := httptest.NewRequest(http.MethodPost, "/api/messages", bytes.NewReader(b))
		req.RemoteAddr = remote
		if addr, ok := strings.CutSuffix(remote, " via proxy"); ok {
			req.RemoteAddr = addr
			req.Header.Set("X-Forwarded-For", "203.0.113.7")
		}
		w := httptest.NewRecorder()
		r.h.ServeHTTP(w, req)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("remote %s: status %d, want 401", remote, w.Code)
		}
	}
}

func TestOversizedAndMalformed(t *testing.T) {
	r := newRig(t)
	for body, want := range map[string]int{
		strings.Repeat("x", MaxBody+1): http.StatusRequestEntityTooLarge,
		"{not json":                    http.StatusBadRequest,
		`{"text":"no type"}`:           http.StatusBadRequest,
	} {
		resp, err := http.Post(r.srv.URL, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("body %.20q: status %d, want %d", body, resp.StatusCode, want)
		}
	}
}

// The outgoing token is fetched once, as the app, for the Bot Framework,
// and reused until shortly before it expires.
func TestOutgoingTokenIsCached(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	card := r.say(u, "")
	r.click(r.click(card, "Yes", u), "Registration submitted", u)
	reqs := r.bf.Calls("POST", "/token/")
	if len(reqs) != 1 {
		t.Fatalf("%d token requests for several sends, want 1", len(reqs))
	}
	f := reqs[0].Form
	if f.Get("grant_type") != "client_credentials" || f.Get("client_id") != testApp || f.Get("client_secret") != "secret-password" || f.Get("scope") != BotFrameworkScope {
		t.Fatalf("token request form %v", f)
	}
	for _, c := range r.bf.connectorCalls() {
		if c.Auth != "Bearer bot-token-1" {
			t.Fatalf("connector call without the token: %q", c.Auth)
		}
	}
}

func TestCredentialsRefreshBeforeExpiry(t *testing.T) {
	f := newFakeBF(t)
	now := time.Now()
	c := &Credentials{AppID: testApp, Password: "pw", URL: f.URL + "/token/botframework.com", Now: func() time.Time { return now }}
	ctx := context.Background()
	for range 3 {
		if _, err := c.Token(ctx); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(3599*time.Second - 4*time.Minute) // inside the 5-minute margin
	if _, err := c.Token(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Calls("POST", "/token/")); n != 2 {
		t.Fatalf("%d token requests, want 2 (one, then one before expiry)", n)
	}
}

// A token the connector refuses is dropped and fetched anew, once.
func TestConnectorRetriesOnceWithAFreshToken(t *testing.T) {
	r := newRig(t)
	r.say(person("Uma One"), "help")
	r.bf.failNext("", http.StatusUnauthorized)
	r.say(person("Uma One"), "help")
	if n := len(r.bf.Calls("POST", "/token/")); n != 2 {
		t.Fatalf("%d token requests, want 2", n)
	}
}

func TestTokenURL(t *testing.T) {
	if got := TokenURL(SingleTenant, "contoso-tenant"); got != "https://login.microsoftonline.com/contoso-tenant/oauth2/v2.0/token" {
		t.Errorf("single tenant: %s", got)
	}
	if got := TokenURL(MultiTenant, "ignored"); got != "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token" {
		t.Errorf("multi tenant: %s", got)
	}
}

// Only Teams traffic is served: on Web Chat or Direct Line the client
// writes the user and tenant fields that decide admin rights and firm.
func TestOnlyTeamsChannelIsServed(t *testing.T) {
	r := newRig(t)
	a := r.activity(person("Mallory"), typeMessage)
	a.Text = "next"
	a.ChannelID = "webchat"
	if st := r.postAuth(a, "Bearer "+channelToken(t, testApp, a.ServiceURL)); st != http.StatusUnauthorized {
		t.Fatalf("webchat activity: status %d, want 401", st)
	}
}

func TestSingleTenantRefusesOtherTenants(t *testing.T) {
	r := newRig(t, func(c *Config) { c.AppType, c.TenantID = SingleTenant, "11111111-2222-3333-4444-555555555555" })
	a := r.activity(person("Mallory"), typeMessage)
	a.Text = "next"
	if st := r.postAuth(a, "Bearer "+channelToken(t, testApp, a.ServiceURL)); st != http.StatusUnauthorized {
		t.Fatalf("activity from another tenant: status %d, want 401", st)
	}
}
