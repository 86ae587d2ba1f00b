package app

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// clearEnv unsets every setting so each test starts from the defaults.
func clearEnv(t *testing.T) {
	for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "REDIS_URL",
		"REDIS_ADDRS", "REDIS_SENTINEL_MASTER", "CAIS_LISTEN_ADDR", "CAIS_REDIS_PREFIX", "CAIS_SCOPE", "CAIS_ADMIN_USERS", "CAIS_PRINCIPALS",
		"CAIS_TIMEZONE", "CAIS_ROADMAP_FILE", "CAIS_NOW", "CAIS_LOG_LEVEL",
		"MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID", "MICROSOFT_APP_TYPE",
		"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "CAIS_TOKEN_KEY", "CAIS_PUBLIC_URL", "CAIS_PLAYGROUND_DEMO"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func TestBadConfigurationNamesTheVariable(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "roadmap.yaml")
	os.WriteFile(broken, []byte("start: nowhere\nsteps: []\n"), 0o600)
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CAIS_SCOPE": "galaxy"}, "CAIS_SCOPE"},
		{map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"},
		{map[string]string{"SLACK_BOT_TOKEN": "nope"}, "SLACK_BOT_TOKEN"},
		{map[string]string{"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"},
		{map[string]string{"REDIS_URL": "http://user:hunter2secret@host:6379"}, "REDIS_URL"},
		{map[string]string{"REDIS_URL": "redis://user:hunter2secret@ho st:6379"}, "REDIS_URL"},
		{map[string]string{"REDIS_SENTINEL_MASTER": "mymaster"}, "REDIS_ADDRS"},
		{map[string]string{"CAIS_TIMEZONE": "Mars/Olympus"}, "CAIS_TIMEZONE"},
		{map[string]string{"CAIS_NOW": "tomorrow"}, "CAIS_NOW"},
		{map[string]string{"CAIS_LOG_LEVEL": "loud"}, "CAIS_LOG_LEVEL"},
		{map[string]string{"CAIS_ROADMAP_FILE": broken}, "CAIS_ROADMAP_FILE"},
		{map[string]string{"CAIS_ROADMAP_FILE": "/does/not/exist.yaml"}, "CAIS_ROADMAP_FILE"},
		{map[string]string{"SLACK_API_URL": "::"}, "SLACK_API_URL"},
		{map[string]string{"CAIS_ADMIN_USERS": "U0ALICE, <@U0BOB>"}, "CAIS_ADMIN_USERS"},
		{map[string]string{"CAIS_PRINCIPALS": "U0CAROL, @dave"}, "CAIS_PRINCIPALS"},
		{map[string]string{"CAIS_PLAYGROUND_DEMO": "yes"}, `CAIS_PLAYGROUND_DEMO: "yes" is not true or false`},
		{map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "REPLACE-ME"}, "SLACK_SIGNING_SECRET"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := Load()
			if err == nil {
				t.Fatal("start-up accepted bad configuration")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") || strings.Contains(msg, "hunter2secret") {
				t.Fatalf("error %q: want one line naming %s, without secrets", msg, tc.want)
			}
		})
	}
}

func TestPlaygroundStartsAndStopsCleanly(t *testing.T) {
	a := newTestApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	for _, path := range []string{"/healthz", "/readyz", "/", "/metrics"} {
		resp, err := http.Get(a.BaseURL() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	// The Agents Playground's probe before it connects.
	if resp, err := http.Head(a.BaseURL() + "/api/messages"); err != nil || resp.StatusCode != 200 {
		t.Errorf("HEAD /api/messages: %v %v", resp, err)
	}
	// A browser's GET is told the method, not the playground's 404.
	if resp, err := http.Get(a.BaseURL() + "/api/messages"); err != nil || resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST, HEAD" {
		t.Errorf("GET /api/messages: %v %v", resp, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown hung")
	}
}

// TestLayering keeps data flowing one way: dialogs knows neither Slack nor
// Redis nor HTTP, and the Slack adapter does not reach Redis.
func TestLayering(t *testing.T) {
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"../../dialogs", []string{"github.com/slack-go/slack", "github.com/redis/go-redis/v9", "net/http"}},
		{"../../bot/...", []string{"github.com/redis/go-redis/v9"}},
		{"../../store", []string{"github.com/slack-go/slack", "net/http", "github.com/caisbot/caisbot/bot/slackbot", "github.com/caisbot/caisbot/bot/teams"}},
		{"../../firm", []string{"github.com/slack-go/slack", "github.com/redis/go-redis/v9", "net/http", "github.com/caisbot/caisbot/dialogs"}},
		{"../../announce/...", []string{"github.com/slack-go/slack", "github.com/redis/go-redis/v9", "net/http", "github.com/caisbot/caisbot/bot/slackbot", "github.com/caisbot/caisbot/bot/teams", "github.com/caisbot/caisbot/store"}},
		{"../../install", []string{"github.com/slack-go/slack", "github.com/redis/go-redis/v9", "net/http", "github.com/caisbot/caisbot/store"}},
		{"../../bot/adapter", []string{"github.com/slack-go/slack", "github.com/caisbot/caisbot/bot/slackbot", "github.com/caisbot/caisbot/bot/teams"}},
		{"../../dialogs", []string{"github.com/caisbot/caisbot/packet", "codeberg.org/go-pdf/fpdf"}},
		{"../../workspace", []string{"github.com/slack-go/slack", "net/http", "github.com/caisbot/caisbot/bot/slackbot", "github.com/caisbot/caisbot/bot/teams"}},
		{"../../packet", []string{"github.com/slack-go/slack", "github.com/redis/go-redis/v9", "net/http", "github.com/caisbot/caisbot/store", "github.com/caisbot/caisbot/bot/adapter"}},
	}
	for _, tc := range tests {
		out, err := exec.Command("go", "list", "-deps", tc.pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", tc.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range tc.forbidden {
				if dep == f {
					t.Errorf("%s depends on %s", tc.pkg, f)
				}
			}
		}
	}
}

func TestEmptyVariablesMeanDefaults(t *testing.T) {
	clearEnv(t)
	t.Setenv("CAIS_TIMEZONE", "")
	t.Setenv("CAIS_REDIS_PREFIX", "")
	t.Setenv("CAIS_PLAYGROUND_DEMO", "")
	cfg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.loc.String() != "America/New_York" || cfg.RedisPrefix != "cais:" || cfg.ListenAddr != ":3000" || bool(cfg.PlaygroundDemo) {
		t.Fatalf("defaults not applied: zone %s prefix %q listen %q", cfg.loc, cfg.RedisPrefix, cfg.ListenAddr)
	}
}

func TestAdminListIsTrimmed(t *testing.T) {
	clearEnv(t)
	t.Setenv("CAIS_ADMIN_USERS", " U0ALICE, U0BOB ,,")
	t.Setenv("CAIS_PRINCIPALS", " U0CAROL ,, 7F1C2A3B-0000-4000-8000-00000000000A")
	cfg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.AdminUsers, "|"); got != "U0ALICE|U0BOB" {
		t.Fatalf("admins %q, want U0ALICE|U0BOB", got)
	}
	if got := strings.Join(cfg.Principals, "|"); got != "U0CAROL|7F1C2A3B-0000-4000-8000-00000000000A" {
		t.Fatalf("principals %q", got)
	}
}

func TestPrincipalsDefaultToNone(t *testing.T) {
	clearEnv(t)
	cfg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Principals) != 0 {
		t.Fatalf("principals %q, want none", cfg.Principals)
	}
}

// CAIS_PRINCIPALS reaches the flow, Entra ids as Teams names them: an
// answer marked approval: true then awaits a principal.
func TestPrincipalsReachTheFlow(t *testing.T) {
	a := newTestApp(t, "CAIS_PRINCIPALS=U0CAROL, 7f1c2a3b-0000-4000-8000-00000000000a")
	if got := strings.Join(a.svc.Flow.Principals, "|"); got != "U0CAROL|7F1C2A3B00004000800000000000000A" {
		t.Fatalf("principals %q", got)
	}
	ctx := context.Background()
	f := firm.ID{Platform: firm.Slack, Workspace: "TPRINC"}
	card, err := a.svc.Command(ctx, f, dialogs.Event{User: "U1"}, dialogs.ParseCommand(""))
	if err != nil {
		t.Fatal(err)
	}
	var no string
	for _, act := range card.Actions {
		if act.Label == "No" {
			no = act.Value
		}
	}
	r, err := a.svc.Click(ctx, f, dialogs.Event{User: "U1"}, no)
	if err != nil || !r.Changed || !strings.Contains(r.Public, "awaits approval by a principal: @{U0CAROL}") {
		t.Fatalf("No with principals: %q, %v", r.Public, err)
	}
}
