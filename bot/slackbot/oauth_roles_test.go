package slackbot

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/store"
)

// The installing user becomes the workspace's first admin, in its roles
// log; a reinstall by someone else, or a refused install, changes nothing.
func TestInstallerBecomesFirstAdmin(t *testing.T) {
	r := newOAuthRig(t)
	st := store.New(r.rdb, r.prefix)
	svc, err := dialogs.NewService(&dialogs.Flow{Roadmap: dialogs.Default(), Loc: time.UTC}, st, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	svc.Roles = st
	r.o.cfg.Admins = svc
	ws := firm.Workspace{Platform: firm.Slack, ID: "T0ACME"}

	state, c := r.start()
	if status, _ := r.back(url.Values{"error": {"access_denied"}, "state": {state}}, c); status != http.StatusForbidden {
		t.Fatalf("denied install: %d", status)
	}
	if roles, _ := st.LoadRoles(context.Background(), ws); roles.Version != 0 {
		t.Fatalf("a refused install named admins: %+v", roles)
	}
	r.slack.Grant("code-1", grant("T0ACME"))
	state, c = r.start()
	if status, body := r.back(url.Values{"code": {"code-1"}, "state": {state}}, c); status != http.StatusOK {
		t.Fatalf("install: %d %s", status, body)
	}
	again := grant("T0ACME")
	again["authed_user"] = map[string]any{"id": "U0BOB"}
	r.slack.Grant("code-2", again)
	state, c = r.start()
	if status, body := r.back(url.Values{"code": {"code-2"}, "state": {state}}, c); status != http.StatusOK {
		t.Fatalf("reinstall: %d %s", status, body)
	}
	roles, log, err := st.RolesTrail(context.Background(), ws)
	if err != nil || !slices.Equal(roles.Admins, []string{"U0ALICE"}) || len(log) != 1 || log[0].Action != dialogs.ActInstallAdmin || log[0].User != "U0ALICE" {
		t.Fatalf("roles %+v, log %+v, %v", roles, log, err)
	}
}
