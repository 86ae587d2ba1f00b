package slackbot

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/install"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/internal/slackfake"
	"github.com/caisbot/caisbot/store"
)

// rotationRig is an installation with rotating tokens in Redis, and
// replicas' clients that refresh them against the fake Web API.
type rotationRig struct {
	installs *install.Store
	st       *store.Redis
	fake     *slackfake.Server
	logs     *syncBuffer
	now      time.Time
}

func newRotationRig(t *testing.T, expiresIn time.Duration) *rotationRig {
	t.Helper()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	installs, err := install.NewStore(st, bytes.Repeat([]byte{4}, 32))
	if err != nil {
		t.Fatal(err)
	}
	r := &rotationRig{installs: installs, st: st, fake: slackfake.New(t), logs: &syncBuffer{}, now: time.Now()}
	in := install.Installation{TeamID: "T0ACME", BotToken: "xoxe.xoxb-old", BotUserID: "UBOT", RefreshToken: "xoxe-1-first",
		InstalledAt: r.now.Add(-12 * time.Hour), ExpiresAt: r.now.Add(expiresIn)}
	if err := installs.Save(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return r
}

// replica is one replica's clients, refreshing through its own Rotator.
func (r *rotationRig) replica(t *testing.T) *Installed {
	t.Helper()
	httpc := &http.Client{Timeout: 5 * time.Second}
	rot, err := NewRotator(RotatorConfig{ClientID: "cid", ClientSecret: "csecret", APIURL: r.fake.APIURL(), HTTP: httpc, Store: r.installs,
		Locks: r.st, Logger: slog.New(slog.NewTextHandler(r.logs, nil)), Poll: 10 * time.Millisecond, RetryAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	clients, err := NewInstalled(r.installs, r.fake.APIURL(), httpc)
	if err != nil {
		t.Fatal(err)
	}
	clients.Rotate(rot)
	return clients
}

// post makes one Web API call for the workspace and returns the token
// it went out with.
func post(t *testing.T, c *Installed, fake *slackfake.Server) (string, error) {
	t.Helper()
	api, err := c.For(context.Background(), Workspace{Team: "T0ACME"})
	if err != nil {
		return "", err
	}
	n := len(fake.Calls("chat.postMessage"))
	if _, _, err := api.PostMessageContext(context.Background(), "C1"); err != nil {
		t.Fatal(err)
	}
	return fake.Calls("chat.postMessage")[n].Token, nil
}

func refreshes(fake *slackfake.Server) []string {
	var out []string
	for _, c := range fake.Calls("oauth.v2.access") {
		if c.Param("grant_type") == "refresh_token" {
			out = append(out, c.Param("refresh_token"))
		}
	}
	return out
}

func TestTokenFarFromExpiryIsNotRefreshed(t *testing.T) {
	r := newRotationRig(t, 11*time.Hour)
	if tok, err := post(t, r.replica(t), r.fake); err != nil || tok != "xoxe.xoxb-old" {
		t.Fatalf("posted with %q, %v; want the current token", tok, err)
	}
	if got := refreshes(r.fake); len(got) != 0 {
		t.Fatalf("refreshed %v; want no refresh 11 hours before expiry", got)
	}
}

// TestExpiredTokenIsRefreshedOnceByRacingReplicas: the token expired;
// two replicas (four calls each) need it at once. One refresh is made,
// every call goes out with the new token, and the record holds the new
// pair, sealed.
func TestExpiredTokenIsRefreshedOnceByRacingReplicas(t *testing.T) {
	r := newRotationRig(t, -time.Minute)
	r.fake.Refresh("xoxe-1-first", map[string]any{"access_token": "xoxe.xoxb-new", "refresh_token": "xoxe-1-second", "expires_in": 43200, "token_type": "bot"})
	replicas := []*Installed{r.replica(t), r.replica(t)}
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	errs := make([]error, 8)
	for i := range tokens {
		wg.Go(func() { tokens[i], errs[i] = post(t, replicas[i%2], r.fake) })
	}
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil || tokens[i] != "xoxe.xoxb-new" {
			t.Errorf("call %d: token %q, err %v; want the refreshed token", i, tokens[i], errs[i])
		}
	}
	if got := refreshes(r.fake); len(got) != 1 || got[0] != "xoxe-1-first" {
		t.Fatalf("refreshes %v; want exactly one, spending the first refresh token", got)
	}
	c := r.fake.Calls("oauth.v2.access")[0]
	if c.Param("client_id") != "cid" || c.Param("client_secret") != "csecret" {
		t.Errorf("refresh sent client %q / %q", c.Param("client_id"), c.Param("client_secret"))
	}
	in, err := r.installs.Find(context.Background(), "T0ACME", "")
	if err != nil || in.RefreshToken.Reveal() != "xoxe-1-second" || in.ExpiresAt.Before(r.now.Add(11*time.Hour)) {
		t.Fatalf("stored %v (expires %s), %v; want the second refresh token, 12 hours on", in.RefreshToken.Reveal(), in.ExpiresAt, err)
	}
	if strings.Contains(r.logs.String(), "xoxe") {
		t.Fatalf("a token reached the logs:\n%s", r.logs)
	}
}

// TestFailedRefreshIsLoggedAndRetried: Slack refuses the refresh. While
// the token is still valid it is used, the failure logged without a
// token and the refresh tried again after RetryAfter; once expired the
// workspace's calls fail until a refresh succeeds.
func TestFailedRefreshIsLoggedAndRetried(t *testing.T) {
	r := newRotationRig(t, time.Hour) // within the margin, not expired
	c := r.replica(t)
	r.fake.FailNext("oauth.v2.access", slackfake.Failure{Status: http.StatusOK, Error: "invalid_refresh_token"})
	if tok, err := post(t, c, r.fake); err != nil || tok != "xoxe.xoxb-old" {
		t.Fatalf("posted with %q, %v; want the still-valid token", tok, err)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "slack token refresh failed") || !strings.Contains(logs, "invalid_refresh_token") || strings.Contains(logs, "xoxe") {
		t.Fatalf("log does not report the failure, or names a token:\n%s", logs)
	}
	if _, err := post(t, c, r.fake); err != nil || len(refreshes(r.fake)) != 1 {
		t.Fatalf("second call: %v, %d refreshes; want no new attempt before RetryAfter", err, len(refreshes(r.fake)))
	}
	// Another replica has not failed: it tries, and succeeds.
	r.fake.Refresh("xoxe-1-first", map[string]any{"access_token": "xoxe.xoxb-new", "refresh_token": "xoxe-1-second", "expires_in": 43200})
	if tok, err := post(t, r.replica(t), r.fake); err != nil || tok != "xoxe.xoxb-new" {
		t.Fatalf("retry posted with %q, %v; want the new token", tok, err)
	}
}

func TestExpiredTokenWithFailingRefreshFails(t *testing.T) {
	r := newRotationRig(t, -time.Minute)
	_, err := post(t, r.replica(t), r.fake) // the fake knows no refresh: invalid_refresh_token
	if !errors.Is(err, ErrExpired) {
		t.Fatalf("err = %v; want ErrExpired", err)
	}
	if len(r.fake.Calls("chat.postMessage")) != 0 {
		t.Fatal("a call went out with an expired token")
	}
}
