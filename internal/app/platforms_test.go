package app

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// newTestApp wires an app from the defaults plus env (KEY=VALUE pairs),
// without serving it: requests go straight to its routes.
func newTestApp(t *testing.T, env ...string) *App {
	t.Helper()
	clearEnv(t)
	t.Setenv("CAIS_LISTEN_ADDR", "127.0.0.1:0")
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	cfg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, newLogger(io.Discard, slog.LevelInfo))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// status is the code a's routes answer an unsigned, unauthenticated request with.
func status(a *App, method, path string) int {
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader("{}")))
	return rec.Code
}

func platforms(a *App) string {
	var p []string
	for platform := range a.posters {
		p = append(p, string(platform))
	}
	slices.Sort(p)
	return strings.Join(p, ",")
}

func TestTeamsOnlyWiresNoSlack(t *testing.T) {
	a := newTestApp(t, "MICROSOFT_APP_ID=00000000-0000-0000-0000-000000000001", "MICROSOFT_APP_PASSWORD=pw")
	if c := status(a, http.MethodPost, "/slack/events"); c != http.StatusNotFound && c != http.StatusMethodNotAllowed {
		t.Errorf("POST /slack/events: %d, want 404 or 405 (Slack is not configured)", c)
	}
	if got := platforms(a); got != "teams" {
		t.Errorf("schedulers %q, want exactly one, for Teams", got)
	}
	if a.slack != nil || a.pg != nil {
		t.Error("Slack or the playground is wired")
	}
	if c := status(a, http.MethodPost, "/api/messages"); c == http.StatusNotFound || c == http.StatusMethodNotAllowed || c == http.StatusOK {
		t.Errorf("POST /api/messages without a token: %d, want it mounted and refused", c)
	}
	if c := status(a, http.MethodGet, "/"); c != http.StatusNotFound {
		t.Errorf("GET /: %d, want 404 (no playground)", c)
	}
}

func TestSlackOnlyHasNoTeams(t *testing.T) {
	a := newTestApp(t, "SLACK_BOT_TOKEN=xoxb-1", "SLACK_SIGNING_SECRET=secret")
	for _, m := range []string{http.MethodPost, http.MethodHead} {
		if c := status(a, m, "/api/messages"); c != http.StatusNotFound && c != http.StatusMethodNotAllowed {
			t.Errorf("%s /api/messages: %d, want 404 or 405 (Teams is not configured)", m, c)
		}
	}
	if got := platforms(a); got != "slack" {
		t.Errorf("schedulers %q, want exactly one, for Slack", got)
	}
	if c := status(a, http.MethodPost, "/slack/events"); c != http.StatusUnauthorized {
		t.Errorf("unsigned POST /slack/events: %d, want 401", c)
	}
}

func TestPlaygroundWiresBoth(t *testing.T) {
	a := newTestApp(t)
	if got := platforms(a); got != "slack,teams" {
		t.Errorf("schedulers %q, want slack,teams", got)
	}
	if c := status(a, http.MethodPost, "/slack/events"); c != http.StatusUnauthorized {
		t.Errorf("unsigned POST /slack/events: %d, want 401", c)
	}
	if c := status(a, http.MethodHead, "/api/messages"); c != http.StatusOK {
		t.Errorf("HEAD /api/messages: %d", c)
	}
	if a.slack == nil || a.teams == nil || a.pg == nil {
		t.Error("the playground lacks Slack, Teams or its page")
	}
}

func TestSocketModeWithoutSecretServesNoEvents(t *testing.T) {
	a := newTestApp(t, "SLACK_BOT_TOKEN=xoxb-1", "SLACK_APP_TOKEN=xapp-1")
	if c := status(a, http.MethodPost, "/slack/events"); c != http.StatusNotFound && c != http.StatusMethodNotAllowed {
		t.Errorf("POST /slack/events: %d, want 404 or 405 (Socket Mode, no signing secret)", c)
	}
	if got := platforms(a); got != "slack" || a.socket == nil {
		t.Errorf("schedulers %q, socket %v: want Slack over Socket Mode only", got, a.socket != nil)
	}
}

func TestNewRefusesAnUncheckedConfig(t *testing.T) {
	if _, err := New(&Config{}, newLogger(io.Discard, slog.LevelInfo)); err == nil {
		t.Fatal("New accepted a Config that Check never saw")
	}
}
