package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/announce"
	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/install"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/internal/slackfake"
	"github.com/caisbot/caisbot/store"
	"github.com/slack-go/slack"
)

const installURL = publicURL + InstallPath

// newMultiRig is the handler in multi-workspace mode: each workspace's
// calls use its installation's token. tokens maps install keys ("T…" for
// a team, "E…" for an org-wide install) to their bot tokens.
func newMultiRig(t testing.TB, tokens map[string]string) *rig {
	t.Helper()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	installs, err := install.NewStore(st, bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	for id, tok := range tokens {
		in := install.Installation{TeamID: id, BotToken: install.Token(tok)}
		if strings.HasPrefix(id, "E") {
			in = install.Installation{EnterpriseID: id, IsEnterpriseInstall: true, BotToken: install.Token(tok)}
		}
		if err := installs.Save(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	r := &rig{t: t, store: st, slack: slackfake.New(t)}
	r.clock.Store(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC).Unix())
	clients, err := NewInstalled(installs, r.slack.APIURL(), &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("America/New_York")
	svc := &dialogs.Service{Flow: &dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{admin}, Loc: loc}, Store: st,
		Now: func() time.Time { return time.Unix(r.clock.Add(60), 0) }}
	once, _ := adapter.NewOnce(st, nil)
	r.h, err = New(Config{SigningSecret: secret, Scope: "workspace", Service: svc, Clients: clients, InstallURL: installURL, Viewers: st,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Once: once})
	if err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewServer(r.h)
	t.Cleanup(func() { r.srv.Close(); r.h.Wait() })
	return r
}

// slashIn types /cais-next in team (of enterprise) and returns the answer.
func (r *rig) slashIn(team, enterprise, text string) (wire, slack.Blocks) {
	r.t.Helper()
	form := url.Values{"team_id": {team}, "enterprise_id": {enterprise}, "channel_id": {chanID}, "user_id": {"U1"}, "command": {"/cais-next"},
		"text": {text}, "response_url": {r.slack.ResponseURL("cmd")}, "trigger_id": {fmt.Sprintf("trig-%d", r.resp.Add(1))}}
	resp := r.post(form.Encode(), "application/x-www-form-urlencoded")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		r.t.Fatalf("slash: %d %s", resp.StatusCode, b)
	}
	return decode(r.t, b)
}

// clickIn presses label in team's card (of enterprise) and returns the
// response_url id.
func (r *rig) clickIn(team, enterprise string, bl slack.Blocks, label string) string {
	r.t.Helper()
	id := fmt.Sprintf("click%d", r.resp.Add(1))
	var p map[string]any
	q, _ := url.ParseQuery(r.clickPayload(button(r.t, bl, label), "U1", id))
	_ = json.Unmarshal([]byte(q.Get("payload")), &p)
	p["team"] = map[string]any{"id": team}
	p["enterprise"] = map[string]any{"id": enterprise}
	b, _ := json.Marshal(p)
	resp := r.post(url.Values{"payload": {string(b)}}.Encode(), "application/x-www-form-urlencoded")
	resp.Body.Close()
	return id
}

// TestEachWorkspaceUsesItsOwnToken: two workspaces and a workspace of an
// org-wide install each see their progress line posted with their own
// token.
func TestEachWorkspaceUsesItsOwnToken(t *testing.T) {
	r := newMultiRig(t, map[string]string{"T0ACME": "xoxb-acme", "T0BETA": "xoxb-beta", "E0GRID": "xoxb-grid"})
	tests := []struct{ team, enterprise, token string }{
		{"T0ACME", "", "xoxb-acme"}, {"T0BETA", "", "xoxb-beta"}, {"T0GRIDWS", "E0GRID", "xoxb-grid"},
	}
	for i, tc := range tests {
		_, card := r.slashIn(tc.team, tc.enterprise, "")
		r.responded(r.clickIn(tc.team, tc.enterprise, card, "Yes"))
		posts := r.slack.Wait(t, "chat.postMessage", i+1)
		if got := posts[i].Token; got != tc.token {
			t.Errorf("%s: progress line posted with %q, want %q", tc.team, got, tc.token)
		}
	}
	for i, tc := range tests[:2] {
		home := fmt.Sprintf(`{"type":"event_callback","team_id":%q,"event_id":"Ev%d","event":{"type":"app_home_opened","user":"U1","tab":"home"}}`, tc.team, i)
		r.post(home, "application/json").Body.Close()
		if got := r.slack.Wait(t, "views.publish", i+1)[i].Token; got != tc.token {
			t.Errorf("%s: Home published with %q, want %q", tc.team, got, tc.token)
		}
	}
}

// TestWorkspaceWithoutInstallationIsToldWhereToAddIt: a command, a click
// and a Home from a workspace that never installed caisbot change
// nothing and call no Web API method.
func TestWorkspaceWithoutInstallationIsToldWhereToAddIt(t *testing.T) {
	r := newMultiRig(t, map[string]string{"T0ACME": "xoxb-acme"})
	_, card := r.slashIn("T0ACME", "", "")
	m, _ := r.slashIn("T0NONE", "", "")
	want := "caisbot is not installed in this workspace — ask an admin to add it at " + installURL
	if m.ResponseType != "ephemeral" || !strings.Contains(m.Text+string(m.Blocks), want) {
		t.Fatalf("answer %+v, want ephemeral %q", m, want)
	}
	if got := text(r.responded(r.clickIn("T0NONE", "", card, "Yes"))); !strings.Contains(got, want) {
		t.Errorf("click answered %q", got)
	}
	r.post(`{"type":"event_callback","team_id":"T0NONE","event_id":"Ev1","event":{"type":"app_home_opened","user":"U1","tab":"home"}}`, "application/json").Body.Close()
	r.h.Wait()
	for _, c := range r.slack.Calls("") {
		if c.Method != "response_url" {
			t.Errorf("%s called for a workspace without an installation", c.Method)
		}
	}
	if e, err := r.store.Audit(context.Background(), slackFirm("T0NONE"), 0, -1); err != nil || len(e) != 0 {
		t.Errorf("audit of the uninstalled workspace: %d entries, %v", len(e), err)
	}
}

// TestRemindersUseTheFirmsWorkspaceToken: a reminder carries only its
// firm's team. A workspace's own install serves it; a workspace of an
// org-wide install once one of its requests has named the organization;
// a workspace without an installation gets a refusal, not a retry.
func TestRemindersUseTheFirmsWorkspaceToken(t *testing.T) {
	r := newMultiRig(t, map[string]string{"T0ACME": "xoxb-acme", "E0GRID": "xoxb-grid"})
	p, err := NewPosterFor(r.h.cfg.Clients.(*Installed).Announcer, "")
	if err != nil {
		t.Fatal(err)
	}
	remind := func(team string) error {
		o := ledger.Occurrence{Firm: slackFirm(team), Channel: "C1", Deadline: "d", Day: "2027-06-05", Lead: 7}
		_, err := p.Post(context.Background(), announce.Message{Occurrence: o, ID: o.ID(), Reply: dialogs.Notice("Reminder", "Due soon.")})
		return err
	}
	var refused *announce.Refused
	if err := remind("T0GRIDWS"); !errors.As(err, &refused) {
		t.Fatalf("reminder to a Grid workspace never seen: %v, want Refused", err)
	}
	r.slashIn("T0GRIDWS", "E0GRID", "help")
	for i, tc := range []struct{ team, token string }{{"T0ACME", "xoxb-acme"}, {"T0GRIDWS", "xoxb-grid"}} {
		if err := remind(tc.team); err != nil {
			t.Fatalf("%s: %v", tc.team, err)
		}
		if got := r.slack.Calls("chat.postMessage")[i].Token; got != tc.token {
			t.Errorf("%s: reminder posted with %q, want %q", tc.team, got, tc.token)
		}
	}
	if err := remind("T0NONE"); !errors.As(err, &refused) {
		t.Errorf("reminder to a workspace without caisbot: %v, want Refused", err)
	}
}

// TestEveryCallGoesThroughTheWorkspace keeps new Web API calls on the
// request's workspace client: h.cfg.API is the one token of single-
// workspace mode, and calls through it would use no workspace's token in
// multi-workspace mode.
func TestEveryCallGoesThroughTheWorkspace(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("h.cfg.API.")) {
			t.Errorf("%s calls h.cfg.API directly; use h.api(ctx), the request's workspace client", f)
		}
	}
}
