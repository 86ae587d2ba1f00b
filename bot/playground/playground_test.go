package playground

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestNewRefusesMissingDependencies(t *testing.T) {
	ok := Config{SigningSecret: "s", Events: http.NotFoundHandler(), BaseURL: "http://127.0.0.1:3000/"}
	for name, mutate := range map[string]func(*Config){
		"no secret":   func(c *Config) { c.SigningSecret = "" },
		"no events":   func(c *Config) { c.Events = nil },
		"no base URL": func(c *Config) { c.BaseURL = "" },
		"bad scheme":  func(c *Config) { c.BaseURL = "ftp://127.0.0.1" },
		"dup users":   func(c *Config) { c.Users = []User{{"U1", "A"}, {"U1", "B"}} },
	} {
		cfg := ok
		mutate(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	p, err := New(ok)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.APIURL(), "http://127.0.0.1:3000/playground/api/"; got != want {
		t.Errorf("APIURL = %q, want %q", got, want)
	}
	if p.cfg.TeamID != "T0PLAYGRND" || p.cfg.ChannelID != "C0PLAYGRND" || p.cfg.ChannelName != "compliance" || len(p.cfg.Users) != 3 {
		t.Errorf("defaults not applied: %+v", p.cfg)
	}
}

func TestSignatureVerifiesWithSlackGo(t *testing.T) {
	body := []byte("token=x&team_id=T1&command=%2Fcais-next&text=")
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", Signature(testSecret, ts, body))
	sv, err := slack.NewSecretsVerifier(h, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = sv.Write(body)
	if err := sv.Ensure(); err != nil {
		t.Fatalf("slack-go refuses our signature: %v", err)
	}
	// Slack's documented example.
	const docBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	if got, want := Signature(testSecret, "1531420618", []byte(docBody)), "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"; got != want {
		t.Errorf("Signature = %s, want Slack's %s", got, want)
	}
}

func TestEveryRequestToTheBotIsSigned(t *testing.T) {
	rig := newRig(t, demoBot())
	ctx := context.Background()
	if err := rig.p.Command(ctx, "U0ALICE", ""); err != nil {
		t.Fatal(err)
	}
	msgs := rig.p.Messages()
	card := msgs[len(msgs)-1]
	if err := rig.p.ClickMessage(ctx, "U0ALICE", card.TS, "", "confirm"); err != nil {
		t.Fatal(err)
	}
	if err := rig.p.OpenHome(ctx, "U0BOB"); err != nil {
		t.Fatal(err)
	}
	rig.bot.mu.Lock()
	defer rig.bot.mu.Unlock()
	if rig.bot.refused != 0 {
		t.Errorf("the bot refused %d requests", rig.bot.refused)
	}
	if len(rig.bot.commands) != 1 || len(rig.bot.callbacks) != 1 || len(rig.bot.events) != 1 {
		t.Errorf("bot got %d commands, %d callbacks, %d events", len(rig.bot.commands), len(rig.bot.callbacks), len(rig.bot.events))
	}
}

func TestWrongSecretIsRefusedByTheBot(t *testing.T) {
	bot := demoBot()
	rig := newRig(t, bot)
	bot.secret = "another secret"
	err := rig.p.Command(context.Background(), "U0ALICE", "")
	if be, ok := err.(*BotError); !ok || be.Status != http.StatusUnauthorized {
		t.Fatalf("Command = %v, want a BotError 401", err)
	}
	msgs := rig.p.Messages()
	last := msgs[len(msgs)-1]
	if !last.System || !last.Ephemeral || last.VisibleTo != "U0ALICE" || !strings.Contains(last.Text, "HTTP 401") {
		t.Errorf("no error line for the user: %+v", last)
	}
}

func TestHandlerServesPageAndAssetsWithoutExternalReferences(t *testing.T) {
	rig := newRig(t, nil)
	for _, path := range []string{"/", "/playground/static/mrkdwn.js", "/playground/static/blocks.js", "/playground/static/app.js", "/playground/static/style.css", "/playground/static/caisbot.svg"} {
		resp, err := http.Get(rig.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		text := string(body)
		for _, bad := range []string{"https://", "//cdn", "fonts.googleapis", "@import", ".innerHTML", "insertAdjacentHTML", "document.write"} {
			if path != "/playground/static/caisbot.svg" && strings.Contains(text, bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
	}
	resp, err := http.Get(rig.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("page CSP = %q", csp)
	}
}

func TestLoopbackOnly(t *testing.T) {
	p, err := New(Config{SigningSecret: "s", Events: http.NotFoundHandler(), BaseURL: "http://127.0.0.1:3000"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		remote, host string
		want         int
	}{
		{"127.0.0.1:5555", "127.0.0.1:3000", 200},
		{"[::1]:5555", "localhost:3000", 200},
		{"10.1.2.3:5555", "127.0.0.1:3000", 403},
		{"127.0.0.1:5555", "evil.example:3000", 403}, // DNS rebinding
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr, r.Host = tc.remote, tc.host
		w := httptest.NewRecorder()
		p.Handler().ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("from %s to %s: %d, want %d", tc.remote, tc.host, w.Code, tc.want)
		}
	}
}

func TestPageActionsRefuseCrossSiteRequests(t *testing.T) {
	rig := newRig(t, demoBot())
	post := func(ct, origin string) int {
		req, _ := http.NewRequest("POST", rig.srv.URL+"/playground/do/compose", strings.NewReader(`{"user":"U0ALICE","text":"hi"}`))
		req.Header.Set("Content-Type", ct)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("text/plain", ""); got != 403 {
		t.Errorf("text/plain: %d, want 403", got)
	}
	if got := post("application/json", "http://evil.example"); got != 403 {
		t.Errorf("foreign origin: %d, want 403", got)
	}
	if got := post("application/json", rig.srv.URL); got != 200 {
		t.Errorf("same origin: %d, want 200", got)
	}
}

func TestComposeRoutesSlashCommandAndPlainMessages(t *testing.T) {
	rig := newRig(t, demoBot())
	ctx := context.Background()
	if err := rig.p.compose(ctx, "U0BOB", "  hello <b>team</b> & all"); err != nil {
		t.Fatal(err)
	}
	if err := rig.p.compose(ctx, "U0BOB", "/cais-nextstep"); err != nil { // not the command
		t.Fatal(err)
	}
	if err := rig.p.compose(ctx, "U0BOB", "/cais-next   status  "); err != nil {
		t.Fatal(err)
	}
	msgs := rig.p.Messages()
	if msgs[0].User != "U0BOB" || msgs[0].Text != "hello &lt;b&gt;team&lt;/b&gt; &amp; all" {
		t.Errorf("plain message stored as %+v", msgs[0])
	}
	if msgs[1].Text != "/cais-nextstep" {
		t.Errorf("second message %+v", msgs[1])
	}
	rig.bot.mu.Lock()
	defer rig.bot.mu.Unlock()
	if len(rig.bot.commands) != 1 || rig.bot.commands[0].Text != "status" {
		t.Errorf("commands = %+v", rig.bot.commands)
	}
}

func TestStreamAnnouncesChanges(t *testing.T) {
	rig := newRig(t, nil)
	resp, err := http.Get(rig.srv.URL + "/playground/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	lines := bufio.NewScanner(resp.Body)
	next := func() string {
		for lines.Scan() {
			if v, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
				return v
			}
		}
		t.Fatal("stream ended")
		return ""
	}
	first := next()
	if _, _, err := rig.api.PostMessage("C0PLAYGRND", slack.MsgOptionText("announcement", false)); err != nil {
		t.Fatal(err)
	}
	if second := next(); second == first {
		t.Errorf("version did not change: %s", second)
	}

	// The page's state carries the message.
	sresp, err := http.Get(rig.srv.URL + "/playground/state")
	if err != nil {
		t.Fatal(err)
	}
	defer sresp.Body.Close()
	var snap struct {
		Messages []Message `json:"messages"`
		Users    []User    `json:"users"`
	}
	if err := json.NewDecoder(sresp.Body).Decode(&snap); err != nil {
		t.Fatal(err)
	}
	if len(snap.Messages) != 1 || snap.Messages[0].Text != "announcement" || len(snap.Users) != 3 {
		t.Errorf("state = %+v", snap)
	}
}

// A handle typed in a command reaches the bot as Slack escapes a picked
// user; anything else that starts with @ stays as typed.
func TestComposeEscapesTypedHandlesInCommands(t *testing.T) {
	rig := newRig(t, demoBot())
	if err := rig.p.compose(context.Background(), "U0ALICE", "/cais-next admins add @Bob @nobody bob@x"); err != nil {
		t.Fatal(err)
	}
	rig.bot.mu.Lock()
	defer rig.bot.mu.Unlock()
	if len(rig.bot.commands) != 1 || rig.bot.commands[0].Text != "admins add <@U0BOB|bob> @nobody bob@x" {
		t.Errorf("commands = %+v", rig.bot.commands)
	}
}
