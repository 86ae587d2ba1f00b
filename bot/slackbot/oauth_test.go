package slackbot

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/install"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/internal/slackfake"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
)

const (
	clientSecret = "c1ient-secret-value"
	botToken     = "xoxb-1111-2222-s3cr3tt0ken"
	publicURL    = "https://caisbot.example.com"
)

// oauthRig is the OAuth endpoints over real (or mini) Redis and the
// fake Web API, with every log line kept.
type oauthRig struct {
	t        testing.TB
	o        *OAuth
	installs *install.Store
	rdb      redis.UniversalClient
	prefix   string
	slack    *slackfake.Server
	logs     *bytes.Buffer
}

func newOAuthRig(t testing.TB) *oauthRig {
	t.Helper()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	installs, err := install.NewStore(st, bytes.Repeat([]byte{5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	r := &oauthRig{t: t, installs: installs, rdb: rdb, prefix: prefix, slack: slackfake.New(t), logs: &bytes.Buffer{}}
	r.o, err = NewOAuth(OAuthConfig{ClientID: "111.222", ClientSecret: clientSecret, PublicURL: publicURL, APIURL: r.slack.APIURL(),
		States: st, Installs: installs, Logger: slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now: func() time.Time { return time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// start opens the install page and returns the state in its link and
// the cookie it set.
func (r *oauthRig) start() (state string, cookie *http.Cookie) {
	r.t.Helper()
	rec := httptest.NewRecorder()
	r.o.Install(rec, httptest.NewRequest(http.MethodGet, InstallPath, nil))
	if rec.Code != http.StatusOK {
		r.t.Fatalf("install page: %d", rec.Code)
	}
	m := regexp.MustCompile(`href="(https://slack.com/oauth/v2/authorize\?[^"]+)"`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		r.t.Fatalf("no Add to Slack link in %s", rec.Body)
	}
	u, _ := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		r.t.Fatalf("cookies %v", cookies)
	}
	return u.Query().Get("state"), cookies[0]
}

// back is Slack sending the browser to the redirect with query.
func (r *oauthRig) back(query url.Values, cookie *http.Cookie) (int, string) {
	r.t.Helper()
	req := httptest.NewRequest(http.MethodGet, RedirectPath+"?"+query.Encode(), nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	r.o.Redirect(rec, req)
	return rec.Code, rec.Body.String()
}

// stored counts the installations in Redis.
func (r *oauthRig) stored() int {
	keys, err := r.rdb.Keys(context.Background(), r.prefix+"install:*").Result()
	if err != nil {
		r.t.Fatal(err)
	}
	return len(keys)
}

func grant(team string) map[string]any {
	return map[string]any{"access_token": botToken, "token_type": "bot", "scope": "commands,chat:write", "bot_user_id": "UBOT",
		"app_id": "A0APP", "team": map[string]any{"id": team, "name": "Acme Securities"}, "authed_user": map[string]any{"id": "U0ALICE"}}
}

func TestInstallPageLinksToSlack(t *testing.T) {
	r := newOAuthRig(t)
	state, c := r.start()
	rec := httptest.NewRecorder()
	r.o.Install(rec, httptest.NewRequest(http.MethodGet, InstallPath, nil))
	u, _ := url.Parse(strings.ReplaceAll(regexp.MustCompile(`href="([^"]+)"`).FindStringSubmatch(rec.Body.String())[1], "&amp;", "&"))
	q := u.Query()
	switch {
	case q.Get("client_id") != "111.222" || q.Get("scope") != strings.Join(BotScopes, ",") || q.Get("redirect_uri") != publicURL+RedirectPath:
		t.Errorf("authorize query %v", q)
	case len(state) != 43 || q.Get("state") == state:
		t.Errorf("states %q and %q: want fresh 43-character ones", state, q.Get("state"))
	case !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/slack/" || c.MaxAge != 600:
		t.Errorf("cookie %+v: want HttpOnly, Secure, SameSite=Lax, path /slack/, 10 minutes", c)
	case strings.Contains(r.logs.String(), state) || strings.Contains(r.logs.String(), c.Value):
		t.Error("the log holds a state or cookie")
	}
	if ttl := r.rdb.PTTL(context.Background(), r.prefix+"oauth:"+state).Val(); ttl <= 9*time.Minute || ttl > 10*time.Minute {
		t.Errorf("state kept for %v, want 10 minutes", ttl)
	}
	if got := r.rdb.Get(context.Background(), r.prefix+"oauth:"+state).Val(); got == "" || strings.Contains(got, c.Value) {
		t.Error("Redis holds the cookie's value, not its hash")
	}
}

func TestInstallSucceedsOnce(t *testing.T) {
	r := newOAuthRig(t)
	r.slack.Grant("code-ok-123", grant("T0ACME"))
	state, c := r.start()
	status, body := r.back(url.Values{"code": {"code-ok-123"}, "state": {state}}, c)
	if status != http.StatusOK || !strings.Contains(body, "/invite @caisbot") || !strings.Contains(body, "/cais-next") || !strings.Contains(body, "Acme Securities") {
		t.Fatalf("%d %s", status, body)
	}
	in, err := r.installs.Find(context.Background(), "T0ACME", "")
	if err != nil || in.BotToken.Reveal() != botToken || in.InstallerID != "U0ALICE" || in.BotUserID != "UBOT" || strings.Join(in.Scopes, " ") != "commands chat:write" {
		t.Fatalf("stored %+v, %v", in, err)
	}
	call := r.slack.Calls("oauth.v2.access")[0]
	if f := call.Form; f.Get("client_id") != "111.222" || f.Get("client_secret") != clientSecret || f.Get("code") != "code-ok-123" || f.Get("redirect_uri") != publicURL+RedirectPath {
		t.Errorf("oauth.v2.access got %v", f)
	}
	// The same state again, as a replayed redirect.
	r.slack.Grant("code-ok-123", grant("T0ACME"))
	if status, body := r.back(url.Values{"code": {"code-ok-123"}, "state": {state}}, c); status != http.StatusBadRequest || !strings.Contains(body, "already used") {
		t.Errorf("reused state: %d %s", status, body)
	}
	for _, secret := range []string{botToken, clientSecret, "code-ok-123", state, c.Value} {
		if strings.Contains(r.logs.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, r.logs)
		}
	}
	if !strings.Contains(r.logs.String(), `"slack app installed"`) || !strings.Contains(r.logs.String(), "T0ACME") {
		t.Errorf("the install is not logged: %s", r.logs)
	}
}

func TestOrgWideInstallIsKeptUnderItsEnterprise(t *testing.T) {
	r := newOAuthRig(t)
	g := grant("")
	g["team"], g["is_enterprise_install"], g["enterprise"] = nil, true, map[string]any{"id": "E0GRID", "name": "Grid Co"}
	r.slack.Grant("code-org", g)
	state, c := r.start()
	if status, body := r.back(url.Values{"code": {"code-org"}, "state": {state}}, c); status != http.StatusOK || !strings.Contains(body, "Grid Co") {
		t.Fatalf("%d %s", status, body)
	}
	if in, err := r.installs.Find(context.Background(), "T0ANYWS", "E0GRID"); err != nil || in.BotToken.Reveal() != botToken {
		t.Fatalf("a workspace of the org: %v", err)
	}
}

// TestRedirectRefusals: each bad redirect is a page with a 4xx, and
// nothing is stored.
func TestRedirectRefusals(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(r *oauthRig, state string, c *http.Cookie) (url.Values, *http.Cookie)
		status int
		says   string
	}{
		{"no state", func(r *oauthRig, s string, c *http.Cookie) (url.Values, *http.Cookie) {
			return url.Values{"code": {"code-ok"}}, c
		}, 400, "not a caisbot install link"},
		{"unknown state", func(r *oauthRig, s string, c *http.Cookie) (url.Values, *http.Cookie) {
			return url.Values{"code": {"code-ok"}, "state": {random()}}, c
		}, 400, "expired or was already used"},
		{"expired state", func(r *oauthRig, s string, c *http.Cookie) (url.Values, *http.Cookie) {
			// The state's last 10 ms, then a little more.
			r.rdb.PExpire(context.Background(), r.prefix+"oauth:"+s, 10*time.Millisecond)
			redistest.Elapse(r.t, r.rdb, 50*time.Millisecond)
			return url.Values{"code": {"code-ok"}, "state": {s}}, c
		}, 400, "expired or was already used"},
		{"no cookie", func(r *oauthRig, s string, c *http.Cookie) (url.Values, *http.Cookie) {
			return url.Values{"code": {"code-ok"}, "state": {s}}, nil
		}, 400, "another browser"},
		{"another browser's cookie", func(r *oauthRig, s string, c *http.Cookie) (url.Values, *http.Cookie) {
			_, other := r.start()
			return url.Values{"code": {"code-ok"}, "state": {s}}, other
		}, 400, "another browser"},
		{"access denied", func(r *oauthRig, s string, c *http.Cookie) (url.Values, *http.Cookie) {
			return url.Values{"error": {"access_denied"}, "state": {s}}, c
		}, 403, "was not added"},
		{"no code", func(r *oauthRig, s string, c *http.Cookie) (url.Values, *http.Cookie) {
			return url.Values{"state": {s}}, c
		}, 400, "no install code"},
		{"exchange refused", func(r *oauthRig, s string, c *http.Cookie) (url.Values, *http.Cookie) {
			return url.Values{"code": {"code-never-granted"}, "state": {s}}, c
		}, 400, "did not confirm"},
		{"exchange fails", func(r *oauthRig, s string, c *http.Cookie) (url.Values, *http.Cookie) {
			r.slack.FailNext("oauth.v2.access", slackfake.Failure{Status: 500})
			return url.Values{"code": {"code-ok"}, "state": {s}}, c
		}, 400, "did not confirm"},
		{"no bot token", func(r *oauthRig, s string, c *http.Cookie) (url.Values, *http.Cookie) {
			g := grant("T0ACME")
			g["token_type"], g["access_token"] = "user", "xoxp-user"
			r.slack.Grant("code-user", g)
			return url.Values{"code": {"code-user"}, "state": {s}}, c
		}, 400, "no bot token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newOAuthRig(t)
			r.slack.Grant("code-ok", grant("T0ACME"))
			state, c := r.start()
			q, cookie := tc.setup(r, state, c)
			status, body := r.back(q, cookie)
			if status != tc.status || !strings.Contains(body, tc.says) || !strings.Contains(body, publicURL+InstallPath) {
				t.Errorf("%d %s: want %d saying %q with a way to start again", status, body, tc.status, tc.says)
			}
			if n := r.stored(); n != 0 {
				t.Errorf("%d installations stored", n)
			}
			for _, secret := range []string{clientSecret, "code-ok", "code-user", "xoxp-user", state, c.Value} {
				if strings.Contains(r.logs.String(), secret) {
					t.Errorf("the log holds %q", secret)
				}
			}
		})
	}
}

// FuzzOAuthRedirect: whatever the query and cookie, the redirect answers
// a page, never installs without a state it handed out, and never panics.
func FuzzOAuthRedirect(f *testing.F) {
	for _, seed := range []string{"", "code=x&state=y", "state=" + strings.Repeat("A", 43) + "&code=c", "error=access_denied&state=",
		"%zz=1", "state=%00&code=%ff", "code=" + strings.Repeat("x", 5000), "state=a&state=b", ";;&&=="} {
		f.Add(seed, "cookie")
	}
	r := newOAuthRig(f)
	r.slack.Grant("c", grant("T0ACME"))
	f.Fuzz(func(t *testing.T, query, cookie string) {
		req := httptest.NewRequest(http.MethodGet, RedirectPath, nil)
		req.URL.RawQuery = query
		req.Header.Set("Cookie", stateCookie+"="+cookie)
		rec := httptest.NewRecorder()
		r.o.Redirect(rec, req)
		if rec.Code < 400 || rec.Code >= 500 || !strings.Contains(rec.Body.String(), "<h1>") {
			t.Fatalf("query %q: %d %s", query, rec.Code, rec.Body)
		}
		if n := r.stored(); n != 0 {
			t.Fatalf("query %q installed something", query)
		}
	})
}

// TestCookiePathFollowsThePublicURL: behind a path prefix the browser
// sends the cookie back only if its path carries the prefix.
func TestCookiePathFollowsThePublicURL(t *testing.T) {
	r := newOAuthRig(t)
	cfg := r.o.cfg
	cfg.PublicURL = "https://bureau.example.com/caisbot"
	o, err := NewOAuth(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	o.Install(rec, httptest.NewRequest(http.MethodGet, InstallPath, nil))
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].Path != "/caisbot/slack/" {
		t.Errorf("cookies %v, want path /caisbot/slack/", c)
	}
	if !strings.Contains(rec.Body.String(), url.QueryEscape("https://bureau.example.com/caisbot/slack/oauth_redirect")) {
		t.Errorf("redirect_uri without the prefix: %s", rec.Body)
	}
}

func TestNewOAuthRefusesMissingParts(t *testing.T) {
	if _, err := NewOAuth(OAuthConfig{ClientID: "1", ClientSecret: "s", PublicURL: publicURL, APIURL: "http://x/"}); err == nil {
		t.Error("OAuth without stores accepted")
	}
}
