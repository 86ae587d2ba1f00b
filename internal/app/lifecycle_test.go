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
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/internal/slackfake"
	"github.com/redis/go-redis/v9"
)

// sharedRedis is the settings that point replicas at one Redis: the real
// one under REDIS_URL with a fresh prefix, else a miniredis.
func sharedRedis(t *testing.T) []string {
	t.Helper()
	c, prefix := redistest.New(t)
	u := "redis://" + c.(*redis.Client).Options().Addr
	if env := strings.TrimSpace(os.Getenv("REDIS_URL")); env != "" {
		u = env
	}
	return []string{"REDIS_URL=" + u, "CAIS_REDIS_PREFIX=" + prefix}
}

// clock is a shared, settable service clock for replicas.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// installVia runs "Add to Slack" on a for team, granted token.
func installVia(t *testing.T, a *App, fake *slackfake.Server, code, team, token string) {
	t.Helper()
	page := serve(a, httptest.NewRequest(http.MethodGet, "/slack/install", nil))
	m := regexp.MustCompile(`state=([A-Za-z0-9_-]{43})`).FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("install page: %s", page.Body)
	}
	fake.Grant(code, map[string]any{"access_token": token, "token_type": "bot", "scope": "commands,chat:write", "bot_user_id": "UBOT" + team,
		"team": map[string]any{"id": team, "name": team + " Securities"}, "authed_user": map[string]any{"id": "U1"}})
	back := httptest.NewRequest(http.MethodGet, "/slack/oauth_redirect?code="+code+"&state="+m[1], nil)
	for _, c := range page.Result().Cookies() {
		back.AddCookie(c)
	}
	if rec := serve(a, back); rec.Code != 200 {
		t.Fatalf("install of %s: %d %s", team, rec.Code, rec.Body)
	}
}

// signedJSON is an Events API POST as Slack signs it.
func signedJSON(body, secret string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}

// event delivers an event_callback for team and returns the status.
func event(a *App, id, team, inner string) int {
	body := fmt.Sprintf(`{"type":"event_callback","team_id":%q,"event_id":%q,"event_time":%d,"event":%s}`, team, id, time.Now().Unix(), inner)
	return serve(a, signedJSON(body, "signsecret")).Code
}

func command(t *testing.T, a *App, fake *slackfake.Server, team, channel, text string) string {
	t.Helper()
	rec := serve(a, signed(url.Values{"team_id": {team}, "channel_id": {channel}, "user_id": {"U1"}, "command": {"/cais-next"},
		"text": {text}, "response_url": {fake.ResponseURL("r")}, "trigger_id": {"trig"}}, "signsecret"))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func nyc(t *testing.T, s string) time.Time {
	t.Helper()
	loc, _ := time.LoadLocation("America/New_York")
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestUninstallPausesAndReinstallResumes runs install → use → uninstall
// → reinstall for one of two workspaces, served by two replicas on one
// Redis, against the fake Web API.
func TestUninstallPausesAndReinstallResumes(t *testing.T) {
	fake := slackfake.New(t)
	r1, r2, clk, env := twoReplicas(t, fake)
	uninstallACME(t, fake, r1, r2, clk, env)
	remindWhilePausedThenReinstall(t, fake, r1, r2, clk, env)
}

// uninstallACME: app_uninstalled (and its redelivery to the other
// replica) pauses ACME's subscription with one audit entry and removes
// its token; an event for a workspace without caisbot writes nothing.
func uninstallACME(t *testing.T, fake *slackfake.Server, r1, r2 *App, clk *clock, env []string) {
	t.Helper()
	ctx := context.Background()
	if got := command(t, r2, fake, "T0ACME", "CT0ACME", "help"); strings.Contains(got, "not installed") { // r2 now holds ACME's client
		t.Fatalf("before the uninstall: %s", got)
	}
	clk.set(nyc(t, "2027-05-05 13:00"))
	if c := event(r2, "Ev1", "T0ACME", `{"type":"app_uninstalled"}`); c != 200 {
		t.Fatalf("app_uninstalled: %d", c)
	}
	if c := event(r1, "Ev1", "T0ACME", `{"type":"app_uninstalled"}`); c != 200 { // a redelivery, to the other replica
		t.Fatalf("duplicate app_uninstalled: %d", c)
	}
	if c := event(r1, "Ev2", "T0NONE", `{"type":"app_uninstalled"}`); c != 200 {
		t.Fatalf("app_uninstalled of a workspace without caisbot: %d", c)
	}
	for k := range valuesUnder(t, r1.rdb, envValue(env, "CAIS_REDIS_PREFIX")) {
		if strings.Contains(k, "T0NONE") {
			t.Errorf("an event for a workspace without caisbot wrote %s", k)
		}
	}
	acme := firm.ID{Platform: firm.Slack, Workspace: "T0ACME"}
	p, trail, err := r1.store.Trail(ctx, acme)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(trail, dialogs.ActAnnouncePause); n != 1 || p.Channels["CT0ACME"].Paused.IsZero() {
		t.Fatalf("%d pause entries, subscription %+v; want one, paused", n, p.Channels["CT0ACME"])
	}
	// The replica that took the event forgets the client at once (the
	// other's cached client lapses within a minute).
	if got := command(t, r2, fake, "T0ACME", "CT0ACME", "help"); !strings.Contains(got, "not installed in this workspace") {
		t.Fatalf("a command after the uninstall got %s", got)
	}
	for k, v := range valuesUnder(t, r1.rdb, envValue(env, "CAIS_REDIS_PREFIX")) {
		if strings.Contains(v, "xoxb-acme-1") {
			t.Errorf("the removed token is still in %s", k)
		}
	}
}

// remindWhilePausedThenReinstall: reminders due while ACME is paused are
// not owed; a reinstall resumes it (one audit entry) with the new token,
// and the record still verifies.
func remindWhilePausedThenReinstall(t *testing.T, fake *slackfake.Server, r1, r2 *App, clk *clock, env []string) {
	t.Helper()
	ctx := context.Background()
	acme := firm.ID{Platform: firm.Slack, Workspace: "T0ACME"}
	// BETA's reminders go out, ACME owes none.
	for _, day := range []string{"2027-05-06 09:30", "2027-05-07 09:30"} {
		if err := r1.scheduler.RunOnce(ctx, nyc(t, day)); err != nil {
			t.Fatal(err)
		}
	}
	if posts := postsTo(fake, "CT0BETA"); posts != 1 {
		t.Fatalf("BETA got %d reminders; want the 30-day one", posts)
	}
	if posts := postsTo(fake, "CT0ACME"); posts != 0 {
		t.Fatalf("paused ACME got %d reminders", posts)
	}

	clk.set(nyc(t, "2027-05-08 10:00"))
	installVia(t, r2, fake, "c3", "T0ACME", "xoxb-acme-2")
	if err := r1.scheduler.RunOnce(ctx, nyc(t, "2027-05-08 10:05")); err != nil {
		t.Fatal(err)
	}
	if keys := r1.rdb.Keys(ctx, envValue(env, "CAIS_REDIS_PREFIX")+"{T0ACME}:announce:*").Val(); len(keys) != 0 || postsTo(fake, "CT0ACME") != 0 {
		t.Fatalf("the reminder due while paused was recorded (%v) or posted; it is not owed", keys)
	}
	if err := r2.scheduler.RunOnce(ctx, nyc(t, "2027-05-22 09:30")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range fake.Calls("chat.postMessage") {
		if c.Param("channel") == "CT0ACME" && strings.Contains(c.Param("metadata"), "caisbot_deadline_reminder") {
			got = append(got, c.Token+" "+c.Param("text"))
		}
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "xoxb-acme-2 14 days left") {
		t.Fatalf("after the reinstall ACME got %q; want the 14-day reminder, with the new token", got)
	}
	p, trail, _ := r1.store.Trail(ctx, acme)
	if n := count(trail, dialogs.ActAnnounceResume); n != 1 || !p.Channels["CT0ACME"].Paused.IsZero() {
		t.Fatalf("%d resume entries, subscription %+v", n, p.Channels["CT0ACME"])
	}
	if got := command(t, r1, fake, "T0ACME", "CT0ACME", "verify"); !strings.Contains(got, "verified") {
		t.Fatalf("verify after pause and resume: %s", got)
	}
}

// twoReplicas are two apps on one Redis sharing a settable service
// clock, with workspaces T0ACME and T0BETA installed, each subscribed in
// its channel C<team> with a target on 2027-06-05.
func twoReplicas(t *testing.T, fake *slackfake.Server) (r1, r2 *App, clk *clock, env []string) {
	t.Helper()
	env = append(sharedRedis(t), "SLACK_API_URL="+fake.APIURL(), "CAIS_ADMIN_USERS=U1")
	for k, v := range multiEnv() {
		env = append(env, k+"="+v)
	}
	r1, r2 = newTestApp(t, env...), newTestApp(t, env...)
	clk = &clock{t: nyc(t, "2027-05-05 12:00")}
	r1.svc.Now, r2.svc.Now = clk.now, clk.now
	installVia(t, r1, fake, "c1", "T0ACME", "xoxb-acme-1")
	installVia(t, r2, fake, "c2", "T0BETA", "xoxb-beta-1")
	for _, team := range []string{"T0ACME", "T0BETA"} {
		for _, text := range []string{"announce", "deadline 6A 2027-06-05"} {
			if got := command(t, r1, fake, team, "C"+team, text); strings.Contains(got, "nothing was changed") {
				t.Fatalf("%s %q: %s", team, text, got)
			}
		}
	}
	return r1, r2, clk, env
}

// TestRevokedUserTokensChangeNothing: tokens_revoked that names only
// user tokens (caisbot keeps none) leaves the installation; one naming
// the bot removes it.
func TestRevokedUserTokensChangeNothing(t *testing.T) {
	fake := slackfake.New(t)
	env := append(sharedRedis(t), "SLACK_API_URL="+fake.APIURL())
	for k, v := range multiEnv() {
		env = append(env, k+"="+v)
	}
	a := newTestApp(t, env...)
	installVia(t, a, fake, "c1", "T0ACME", "xoxb-acme-1")
	if c := event(a, "Ev1", "T0ACME", `{"type":"tokens_revoked","tokens":{"oauth":["U1"]}}`); c != 200 {
		t.Fatalf("tokens_revoked: %d", c)
	}
	if got := command(t, a, fake, "T0ACME", "C1", "help"); strings.Contains(got, "not installed") {
		t.Fatalf("user tokens revoked removed the install: %s", got)
	}
	if c := event(a, "Ev2", "T0ACME", `{"type":"tokens_revoked","tokens":{"bot":["UBOTT0ACME"]}}`); c != 200 {
		t.Fatalf("tokens_revoked: %d", c)
	}
	if got := command(t, a, fake, "T0ACME", "C1", "help"); !strings.Contains(got, "not installed") {
		t.Fatalf("the bot token revoked, a command got %s", got)
	}
}

func count(entries []dialogs.Entry, action string) int {
	n := 0
	for _, e := range entries {
		if e.Action == action {
			n++
		}
	}
	return n
}

// postsTo counts the deadline reminders posted to channel.
func postsTo(fake *slackfake.Server, channel string) int {
	n := 0
	for _, c := range fake.Calls("chat.postMessage") {
		if c.Param("channel") == channel && strings.Contains(c.Param("metadata"), "caisbot_deadline_reminder") {
			n++
		}
	}
	return n
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v
		}
	}
	return ""
}

// TestWorkspaceCommandChecksFirst: bad words get the usage (exit 2) and
// no Redis is needed; the embedded Redis is refused.
func TestWorkspaceCommandChecksFirst(t *testing.T) {
	clearEnv(t)
	var out, errs strings.Builder
	if code := WorkspaceCommand(context.Background(), []string{"delete"}, &out, &errs); code != 2 || !strings.Contains(errs.String(), "usage: caisbot workspace") {
		t.Fatalf("no team: %d %q", code, errs.String())
	}
	errs.Reset()
	if code := WorkspaceCommand(context.Background(), []string{"export", "T1"}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "REDIS_URL") {
		t.Fatalf("without REDIS_URL: %d %q", code, errs.String())
	}
}

// TestWorkspaceCommandExportsFromTheBotsRedis runs export against the
// Redis and prefix the settings name.
func TestWorkspaceCommandExportsFromTheBotsRedis(t *testing.T) {
	fake := slackfake.New(t)
	env := append(sharedRedis(t), "SLACK_API_URL="+fake.APIURL(), "CAIS_ADMIN_USERS=U1")
	for k, v := range multiEnv() {
		env = append(env, k+"="+v)
	}
	a := newTestApp(t, env...)
	installVia(t, a, fake, "c1", "T0ACME", "xoxb-acme-1")
	command(t, a, fake, "T0ACME", "C1", "announce")
	file := t.TempDir() + "/acme.json"
	var out, errs strings.Builder
	if code := WorkspaceCommand(context.Background(), []string{"export", "T0ACME", "--out", file}, &out, &errs); code != 0 {
		t.Fatalf("export: %d %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "1 firms, 1 audit entries") || !strings.Contains(errs.String(), `"msg":"workspace exported"`) {
		t.Fatalf("stdout %q, log %q", out.String(), errs.String())
	}
}

// valuesUnder is every value under prefix, as text (strings and hashes,
// the kinds a token could be kept in; lists and sets by their members).
func valuesUnder(t *testing.T, rdb redis.UniversalClient, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	out := map[string]string{}
	for _, k := range keys {
		switch rdb.Type(ctx, k).Val() {
		case "string":
			out[k] = rdb.Get(ctx, k).Val()
		case "hash":
			out[k] = fmt.Sprint(rdb.HGetAll(ctx, k).Val())
		case "list":
			out[k] = fmt.Sprint(rdb.LRange(ctx, k, 0, -1).Val())
		case "set":
			out[k] = fmt.Sprint(rdb.SMembers(ctx, k).Val())
		default:
			out[k] = "" // expired meanwhile, or a kind no token is kept in
		}
	}
	return out
}
