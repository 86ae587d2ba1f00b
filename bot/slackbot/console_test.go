package slackbot

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/install"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/internal/slackfake"
	"github.com/caisbot/caisbot/store"
)

// Two workspaces in channel scope, each installed by its first admin.
const (
	teamOne, teamTwo = "T0ONE", "T0TWO"
	instOne, instTwo = "U0INST1", "U0INST2"
)

func newConsoleRig(t testing.TB) *rig {
	t.Helper()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	installs, err := install.NewStore(st, bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, store: st, slack: slackfake.New(t)}
	r.clock.Store(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC).Unix())
	loc, _ := time.LoadLocation("America/New_York")
	svc := &dialogs.Service{Flow: &dialogs.Flow{Roadmap: dialogs.Default(), Loc: loc}, Store: st, Roles: st, Firms: st,
		Now: func() time.Time { return time.Unix(r.clock.Add(60), 0) }}
	for teamID, who := range map[string]string{teamOne: instOne, teamTwo: instTwo} {
		if err := installs.Save(context.Background(), install.Installation{TeamID: teamID, BotToken: install.Token("xoxb-" + teamID)}); err != nil {
			t.Fatal(err)
		}
		if err := svc.FirstAdmin(context.Background(), firm.Workspace{Platform: firm.Slack, ID: teamID}, who, "", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	clients, err := NewInstalled(installs, r.slack.APIURL(), &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	once, _ := adapter.NewOnce(st, nil)
	r.h, err = New(Config{SigningSecret: secret, Scope: firm.ChannelScope, Service: svc, Clients: clients, InstallURL: installURL,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Once: once})
	if err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewServer(r.h)
	t.Cleanup(func() { r.srv.Close(); r.h.Wait() })
	return r
}

// typeIn types /cais-next text in team's channel as user; the answer.
func (r *rig) typeIn(team, channel, user, typed string) (wire, string) {
	r.t.Helper()
	form := url.Values{"team_id": {team}, "channel_id": {channel}, "user_id": {user}, "command": {"/cais-next"},
		"text": {typed}, "response_url": {r.slack.ResponseURL("cmd-" + user)}, "trigger_id": {fmt.Sprintf("trig-%d", r.resp.Add(1))}}
	resp := r.post(form.Encode(), "application/x-www-form-urlencoded")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		r.t.Fatalf("%q: %d %s", typed, resp.StatusCode, b)
	}
	m, bl := decode(r.t, b)
	return m, text(bl)
}

// bureau starts three firms in team one (channels CA, CB, CC) and one in
// team two (CZ), each with a target date set by its admin.
func bureau(t *testing.T, r *rig) {
	t.Helper()
	for _, f := range []struct{ team, ch, who, day string }{
		{teamOne, "CA", instOne, "2026-12-20"}, {teamOne, "CB", instOne, "2026-12-01"},
		{teamOne, "CC", instOne, "2027-01-10"}, {teamTwo, "CZ", instTwo, "2026-11-30"},
	} {
		if _, got := r.typeIn(f.team, f.ch, f.who, "deadline 1 "+f.day); !strings.Contains(got, "Target set") && !strings.Contains(got, "target") {
			t.Fatalf("deadline in %s: %s", f.ch, got)
		}
	}
	r.slack.SetMember("", "CA", "alpha-securities")
}

func TestFirmsConsoleGoesToTheAdminAloneAndStaysInItsWorkspace(t *testing.T) {
	r := newConsoleRig(t)
	bureau(t, r)
	r.h.Wait()
	posted := len(r.slack.Calls("chat.postMessage"))
	m, got := r.typeIn(teamOne, "CA", instOne, "firms")
	if m.ResponseType != "ephemeral" {
		t.Errorf("the console is %q, not ephemeral", m.ResponseType)
	}
	a, b, c := strings.Index(got, "CB"), strings.Index(got, "#alpha-securities"), strings.Index(got, "CC")
	if a < 0 || b < a || c < b || strings.Contains(got, "CZ") || !strings.Contains(got, "3 firms") {
		t.Fatalf("console (want CB, #alpha-securities, CC in that order, no CZ):\n%s", got)
	}
	r.h.Wait()
	if n := len(r.slack.Calls("files.completeUploadExternal")); n != 0 {
		t.Fatalf("typing firms uploaded %d files; the CSV is for its button", n)
	}
	r.consoleClick(teamOne, "CA", instOne, "firms", "Download CSV")
	r.h.Wait()
	done := r.slack.Calls("files.completeUploadExternal")
	if len(done) != 1 || done[0].Param("channel_id") != "D"+instOne || done[0].Token != "xoxb-"+teamOne {
		t.Fatalf("CSV uploads: %d; want one to the admin's DM with team one's token: %+v", len(done), done)
	}
	if posts := r.slack.Calls("chat.postMessage"); len(posts) != posted {
		t.Errorf("the console posted %d messages", len(posts)-posted)
	}
	body, _ := uploadedBytes(t, r.slack.Calls("upload")[0])
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 4 || rows[1][0] != "slack/T0ONE:CB" || rows[2][1] != "#alpha-securities" || strings.Contains(string(body), "T0TWO") {
		t.Errorf("CSV (%v):\n%s", err, body)
	}
}

func TestFirmsConsoleRefusesOthersAndFollowsRoleChanges(t *testing.T) {
	r := newConsoleRig(t)
	bureau(t, r)
	if _, got := r.typeIn(teamOne, "CA", "U0ERIN", "firms"); !strings.Contains(got, "Only admins can see the list of every firm: <@"+instOne+">") {
		t.Fatalf("a non-admin got:\n%s", got)
	}
	// The admin of team two is no admin of team one.
	if _, got := r.typeIn(teamOne, "CA", instTwo, "firms"); !strings.Contains(got, "Only admins") {
		t.Fatalf("team two's admin in team one got:\n%s", got)
	}
	if _, got := r.typeIn(teamOne, "CA", instOne, "admins add <@U0ERIN|erin>"); !strings.Contains(got, "is now an admin of this workspace") {
		t.Fatalf("admins add:\n%s", got)
	}
	if _, got := r.typeIn(teamOne, "CA", "U0ERIN", "firms"); !strings.Contains(got, "3 firms") {
		t.Fatalf("the new admin got:\n%s", got)
	}
	if _, got := r.typeIn(teamOne, "CA", instOne, "admins add @erin"); !strings.Contains(got, "is not an @-mention") {
		t.Errorf("an unescaped @name:\n%s", got)
	}
	r.consoleClick(teamOne, "CA", "U0ERIN", "firms", "Download CSV")
	r.h.Wait()
	if n := len(r.slack.Calls("files.completeUploadExternal")); n != 1 {
		t.Errorf("%d CSV uploads; want only the new admin's", n)
	}
}

// consoleClick types /cais-next typed in team's channel as user and
// presses the button labelled label on the ephemeral answer.
func (r *rig) consoleClick(team, channel, user, typed, label string) {
	r.t.Helper()
	form := url.Values{"team_id": {team}, "channel_id": {channel}, "user_id": {user}, "command": {"/cais-next"},
		"text": {typed}, "response_url": {r.slack.ResponseURL("cmd-" + user)}, "trigger_id": {fmt.Sprintf("trig-%d", r.resp.Add(1))}}
	resp := r.post(form.Encode(), "application/x-www-form-urlencoded")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, bl := decode(r.t, b)
	btn := button(r.t, bl, label)
	p := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": team},
		"channel": map[string]any{"id": channel}, "container": map[string]any{"type": "message", "channel_id": channel, "is_ephemeral": true},
		"trigger_id": "trig-console", "response_url": r.slack.ResponseURL("console-" + user),
		"actions": []map[string]any{{"type": "button", "action_id": btn.ActionID, "block_id": "cais_actions", "value": btn.Value, "action_ts": "1700000000.1"}},
	}
	raw, _ := json.Marshal(p)
	if resp := r.post(url.Values{"payload": {string(raw)}}.Encode(), "application/x-www-form-urlencoded"); resp.StatusCode != 200 {
		r.t.Fatalf("clicking %q: %d", label, resp.StatusCode)
	}
}

func TestConsoleHome(t *testing.T) {
	r := newConsoleRig(t)
	bureau(t, r)
	home := func(team, user string) string {
		before := len(r.slack.Calls("views.publish"))
		ev := fmt.Sprintf(`{"type":"event_callback","team_id":%q,"api_app_id":"A1","event_id":"Ev%s%d","event_time":1700000000,
			"event":{"type":"app_home_opened","user":%q,"channel":"D1","tab":"home"}}`, team, user, before, user)
		resp := r.post(ev, "application/json")
		resp.Body.Close()
		return text(r.lastHome(before + 1))
	}
	got := home(teamOne, instOne)
	if !strings.Contains(got, "By step:") || !strings.Contains(got, "Step 1: 3") || !strings.Contains(got, "#alpha-securities") || strings.Contains(got, "CZ") {
		t.Errorf("the admin's Home:\n%s", got)
	}
	r.slack.SetMember("U0BOB", "CC", "gamma")
	got = home(teamOne, "U0BOB")
	if !strings.Contains(got, "Your firms") || !strings.Contains(got, "CC") || strings.Contains(got, "CB") || strings.Contains(got, "alpha") {
		t.Errorf("Bob's Home (member of CC only):\n%s", got)
	}
}

// seedFirm commits a firm with a long legal name, a long wait and a
// target date straight to the store (as the flow would).
func seedFirm(t testing.TB, st *store.Redis, f firm.ID, n int) {
	t.Helper()
	at := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	p := dialogs.Progress{Version: 1, Profile: &dialogs.Profile{Name: strings.Repeat("Long Legal Name & <Sons> ", 6)[:150], CRD: "123456"},
		Waits:   map[string]dialogs.Wait{"obligation": {Who: strings.Repeat("the clearing firm's onboarding desk ", 3)[:100], Since: at}},
		Targets: map[string]string{"obligation": fmt.Sprintf("2026-12-%02d", 1+n%28)},
		Last:    &dialogs.Change{Action: dialogs.ActProfile, At: at}}
	e := dialogs.Entry{At: at, User: instOne, Action: dialogs.ActProfile, Version: 1}
	e.Seal(0, "")
	p.Seq, p.Head = e.Seq, e.Hash
	if err := st.Commit(context.Background(), f, 0, p, e); err != nil {
		t.Fatal(err)
	}
}

// Many firms with the longest names and waits stay within Block Kit's
// limits, in the ephemeral reply and on the Home tab.
func TestConsoleStaysWithinBlockKitLimits(t *testing.T) {
	r := newConsoleRig(t)
	for i := range 60 {
		seedFirm(t, r.store, firm.ID{Platform: firm.Slack, Workspace: teamOne, Channel: fmt.Sprintf("C%03d", i)}, i)
	}
	form := url.Values{"team_id": {teamOne}, "channel_id": {"C001"}, "user_id": {instOne}, "command": {"/cais-next"},
		"text": {"firms"}, "response_url": {r.slack.ResponseURL("cmd")}, "trigger_id": {"trig-limits"}}
	resp := r.post(form.Encode(), "application/x-www-form-urlencoded")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m, bl := decode(t, b)
	if n := len(bl.BlockSet); n > 50 || !strings.Contains(text(bl), "Page 1 of 2: firms 1–40 of 60.") || !strings.Contains(m.Text, "60 firms") && !strings.Contains(text(bl), "60 firms") {
		t.Errorf("%d blocks:\n%s", n, text(bl))
	}
	var raw struct {
		Blocks []struct {
			Text *struct{ Text string } `json:"text"`
		} `json:"blocks"`
	}
	_ = json.Unmarshal(b, &raw)
	for i, blk := range raw.Blocks {
		if blk.Text != nil && utf8.RuneCountInString(blk.Text.Text) > 3000 {
			t.Errorf("block %d has %d characters", i, utf8.RuneCountInString(blk.Text.Text))
		}
	}
	before := len(r.slack.Calls("views.publish"))
	ev := fmt.Sprintf(`{"type":"event_callback","team_id":%q,"api_app_id":"A1","event_id":"EvL","event_time":1700000000,
		"event":{"type":"app_home_opened","user":%q,"channel":"D1","tab":"home"}}`, teamOne, instOne)
	r.post(ev, "application/json").Body.Close()
	calls := r.slack.Wait(t, "views.publish", before+1)
	if c := calls[len(calls)-1]; c.Invalid != "" {
		t.Errorf("Slack would refuse the Home: %s", c.Invalid)
	}
}

// Without channels:read (an install not yet re-authorized) a member's
// Home says why it lists nothing.
func TestConsoleHomeWithoutChannelScopes(t *testing.T) {
	r := newConsoleRig(t)
	bureau(t, r)
	r.slack.FailNext("users.conversations", slackfake.Failure{Status: http.StatusOK, Error: "missing_scope"}, slackfake.Failure{Status: http.StatusOK, Error: "missing_scope"})
	before := len(r.slack.Calls("views.publish"))
	ev := fmt.Sprintf(`{"type":"event_callback","team_id":%q,"api_app_id":"A1","event_id":"EvS","event_time":1700000000,
		"event":{"type":"app_home_opened","user":"U0BOB","channel":"D1","tab":"home"}}`, teamOne)
	r.post(ev, "application/json").Body.Close()
	if got := text(r.lastHome(before + 1)); !strings.Contains(got, "could not look up the channels you are in") {
		t.Errorf("Bob's Home without the scope:\n%s", got)
	}
}

// The roles log's CSV goes to the asker's direct message too.
func TestRolesExportGoesByDirectMessage(t *testing.T) {
	r := newConsoleRig(t)
	if _, got := r.typeIn(teamOne, "CA", "U0BOB", "admins export"); !strings.Contains(got, "cais-roles-log-") {
		t.Fatalf("admins export:\n%s", got)
	}
	r.h.Wait()
	done := r.slack.Calls("files.completeUploadExternal")
	if len(done) != 1 || done[0].Param("channel_id") != "DU0BOB" {
		t.Fatalf("uploads %+v; want one to Bob's DM", done)
	}
	body, _ := uploadedBytes(t, r.slack.Calls("upload")[0])
	if !strings.Contains(string(body), "install_admin") || !strings.Contains(string(body), instOne) || strings.Contains(string(body), instTwo) {
		t.Errorf("roles log CSV:\n%s", body)
	}
}

// A member's Home button shows that firm's next step to them alone, in
// the firm's channel, where its buttons act on that firm.
func TestConsoleHomeButtonOpensTheFirmInItsChannel(t *testing.T) {
	r := newConsoleRig(t)
	bureau(t, r)
	r.slack.SetMember("U0BOB", "CC", "gamma")
	before := len(r.slack.Calls("views.publish"))
	ev := fmt.Sprintf(`{"type":"event_callback","team_id":%q,"api_app_id":"A1","event_id":"EvB","event_time":1700000000,
		"event":{"type":"app_home_opened","user":"U0BOB","channel":"D1","tab":"home"}}`, teamOne)
	r.post(ev, "application/json").Body.Close()
	btn := button(t, r.lastHome(before+1), "Next step: CC")
	p := map[string]any{"type": "block_actions", "user": map[string]any{"id": "U0BOB"}, "team": map[string]any{"id": teamOne},
		"view": map[string]any{"type": "home", "id": "VHOME"}, "container": map[string]any{"type": "view", "view_id": "VHOME"},
		"actions": []map[string]any{{"type": "button", "block_id": "cais_actions", "action_id": btn.ActionID, "value": btn.Value}}}
	b, _ := json.Marshal(p)
	r.post(url.Values{"payload": {string(b)}}.Encode(), "application/x-www-form-urlencoded").Body.Close()
	got := r.slack.Wait(t, "chat.postEphemeral", 1)[0]
	if got.Param("channel") != "CC" || got.Param("user") != "U0BOB" || !strings.Contains(got.Param("text"), "Step 1") || got.Token != "xoxb-"+teamOne {
		t.Fatalf("ephemeral card: channel %q user %q text %q", got.Param("channel"), got.Param("user"), got.Param("text"))
	}
	// A channel Slack will not post in (caisbot removed from it): the
	// user is told why by direct message, without the card.
	r.slack.FailNext("chat.postEphemeral", slackfake.Failure{Status: 200, Error: "channel_not_found"})
	before = len(r.slack.Calls("chat.postMessage"))
	r.post(url.Values{"payload": {string(b)}}.Encode(), "application/x-www-form-urlencoded").Body.Close()
	dm := r.slack.Wait(t, "chat.postMessage", before+1)[before]
	if dm.Param("channel") != "U0BOB" || !strings.Contains(dm.Param("text"), "could not show that firm's card in <#CC> (Slack answered: channel_not_found)") ||
		!strings.Contains(dm.Param("text"), "invite it back") || dm.Param("blocks") != "" {
		t.Errorf("notice: channel %q text %q blocks %q", dm.Param("channel"), dm.Param("text"), dm.Param("blocks"))
	}
	// Another refusal is not blamed on membership.
	r.slack.FailNext("chat.postEphemeral", slackfake.Failure{Status: 200, Error: "restricted_action"})
	r.post(url.Values{"payload": {string(b)}}.Encode(), "application/x-www-form-urlencoded").Body.Close()
	dm = r.slack.Wait(t, "chat.postMessage", before+2)[before+1]
	if txt := dm.Param("text"); !strings.Contains(txt, "(Slack answered: restricted_action)") || strings.Contains(txt, "invite it back") || !strings.Contains(txt, "Try again in a minute.") {
		t.Errorf("notice for another refusal: %q", txt)
	}
	// A button naming a channel of the other workspace's firm is that
	// channel in this workspace: team two's firm is never read.
	forged := strings.Replace(string(b), btn.Value, dialogs.Token{Kind: dialogs.KindFirm, Choice: "CZ"}.String(), 1)
	r.post(url.Values{"payload": {forged}}.Encode(), "application/x-www-form-urlencoded").Body.Close()
	r.h.Wait()
	for _, c := range r.slack.Calls("chat.postEphemeral") {
		if strings.Contains(string(c.Body), "November 30") {
			t.Errorf("team two's firm leaked: %s", c.Param("text"))
		}
	}
}
