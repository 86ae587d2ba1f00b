package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/internal/slackfake"
	"github.com/redis/go-redis/v9"
)

// signed is a form POST to /slack/events as Slack signs it.
func signed(form url.Values, secret string) *http.Request {
	body := form.Encode()
	req := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}

func serve(a *App, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)
	return rec
}

// TestMultiWorkspaceInstallThenUse: the routes of multi-workspace mode,
// an install through them against the fake Web API, then a command from
// the installed workspace and one from a workspace without caisbot.
func TestMultiWorkspaceInstallThenUse(t *testing.T) {
	fake := slackfake.New(t)
	env := append(sharedRedis(t), "SLACK_API_URL="+fake.APIURL())
	for k, v := range multiEnv() {
		env = append(env, k+"="+v)
	}
	a := newTestApp(t, env...)
	if a.pg != nil || a.teams != nil || platforms(a) != "slack" {
		t.Fatalf("playground %v, teams %v, posters %s: want Slack alone", a.pg != nil, a.teams != nil, platforms(a))
	}
	if c := status(a, http.MethodGet, "/"); c != http.StatusNotFound {
		t.Errorf("GET /: %d, want 404 (no playground)", c)
	}
	page := serve(a, httptest.NewRequest(http.MethodGet, "/slack/install", nil))
	m := regexp.MustCompile(`state=([A-Za-z0-9_-]{43})`).FindStringSubmatch(page.Body.String())
	if page.Code != 200 || m == nil || !strings.Contains(page.Body.String(), url.QueryEscape("https://caisbot.example.com/slack/oauth_redirect")) {
		t.Fatalf("install page %d: %s", page.Code, page.Body)
	}
	fake.Grant("code-1", map[string]any{"access_token": "xoxb-acme-token", "token_type": "bot", "scope": "commands", "bot_user_id": "UBOT",
		"team": map[string]any{"id": "T0ACME", "name": "Acme"}, "authed_user": map[string]any{"id": "U0ALICE"}})
	back := httptest.NewRequest(http.MethodGet, "/slack/oauth_redirect?code=code-1&state="+m[1], nil)
	for _, c := range page.Result().Cookies() {
		back.AddCookie(c)
	}
	if rec := serve(a, back); rec.Code != 200 || !strings.Contains(rec.Body.String(), "caisbot is installed") {
		t.Fatalf("redirect %d: %s", rec.Code, rec.Body)
	}
	cmd := func(team string) string {
		rec := serve(a, signed(url.Values{"team_id": {team}, "channel_id": {"C1"}, "user_id": {"U1"}, "command": {"/cais-next"},
			"text": {"help"}, "response_url": {fake.ResponseURL("r")}, "trigger_id": {team}}, "signsecret"))
		b, _ := io.ReadAll(rec.Body)
		return string(b)
	}
	if got := cmd("T0ACME"); strings.Contains(got, "not installed") || !strings.Contains(got, "/cais-next") {
		t.Errorf("installed workspace got %s", got)
	}
	if got := cmd("T0OTHER"); !strings.Contains(got, "not installed in this workspace") || !strings.Contains(got, "https://caisbot.example.com/slack/install") {
		t.Errorf("workspace without caisbot got %s", got)
	}
	a.Wait()
	values := everyValue(t, a.rdb)
	if _, ok := values[a.cfg.RedisPrefix+"install:team:T0ACME"]; !ok {
		t.Fatalf("no installation among the keys %v", values)
	}
	for k, v := range values {
		for _, secret := range []string{"xoxb-acme-token", "acme-token", "code-1", "clientsecretvalue", m[1]} {
			if strings.Contains(v, secret) {
				t.Errorf("Redis key %s holds %q in clear", k, secret)
			}
		}
	}
}

// everyValue reads every key of every type in rdb, as text.
func everyValue(t *testing.T, rdb redis.UniversalClient) map[string]string {
	t.Helper()
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	out := map[string]string{}
	for _, k := range keys {
		var v any
		switch typ := rdb.Type(ctx, k).Val(); typ {
		case "string":
			v = rdb.Get(ctx, k).Val()
		case "hash":
			v = rdb.HGetAll(ctx, k).Val()
		case "list":
			v = rdb.LRange(ctx, k, 0, -1).Val()
		case "set":
			v = rdb.SMembers(ctx, k).Val()
		case "zset":
			v = rdb.ZRangeWithScores(ctx, k, 0, -1).Val()
		case "stream":
			v = rdb.XRange(ctx, k, "-", "+").Val()
		default:
			t.Fatalf("key %s of type %q: extend everyValue", k, typ)
		}
		out[k] = fmt.Sprint(v)
	}
	return out
}

func TestSingleWorkspaceServesNoInstallPages(t *testing.T) {
	a := newTestApp(t, "SLACK_BOT_TOKEN=xoxb-1", "SLACK_SIGNING_SECRET=secret")
	for _, p := range []string{"/slack/install", "/slack/oauth_redirect"} {
		if c := status(a, http.MethodGet, p); c != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404 with one bot token", p, c)
		}
	}
}
