package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/store"
)

// TestWorkspaceKeysTakeNoOtherWorkspaces: workspace T1's keys are found
// and deleted; T12 (whose id T1 is a prefix of), a Teams tenant, an
// org-wide install and the shared keys are left as they were.
func TestWorkspaceKeysTakeNoOtherWorkspaces(t *testing.T) {
	s, c, prefix := newStore(t)
	ctx := context.Background()
	teams := seedWorkspaces(t, s)
	c.SAdd(ctx, prefix+"firms", "T1:C9") // a member from before firms named their platform

	d, err := s.WorkspaceKeys(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range d.Keys {
		got = append(got, strings.TrimPrefix(k, prefix))
	}
	want := []string{"announce:sender:{T1}", "install-lock:team:T1", "install:grid:T1", "install:team:T1",
		"{T1:C1}:announce:", "{T1:C1}:audit", "{T1:C1}:home", "{T1:C1}:progress",
		"{T1}:announce:", "{T1}:audit", "{T1}:home", "{T1}:progress",
		"{roles:slack/T1}:", "{roles:slack/T1}:"}
	if len(got) != len(want) {
		t.Fatalf("keys of T1:\n got %q\nwant %q", got, want)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Fatalf("keys of T1:\n got %q\nwant %q", got, want)
		}
	}
	if strings.Join(d.Members, " ") != "T1:C9 slack/T1 slack/T1:C1" {
		t.Fatalf("index members of T1: %q", d.Members)
	}
	before, _ := c.Keys(ctx, prefix+"*").Result()
	n, err := s.DeleteWorkspace(ctx, d)
	if err != nil || n != int64(len(want)) {
		t.Fatalf("deleted %d keys, %v; want %d", n, err, len(want))
	}
	after, _ := c.Keys(ctx, prefix+"*").Result()
	if len(after) != len(before)-len(want) {
		t.Fatalf("%d keys left of %d; want %d", len(after), len(before), len(before)-len(want))
	}
	for _, k := range after {
		if ws := strings.TrimPrefix(k, prefix); strings.Contains(ws, "{T1}") || strings.Contains(ws, "{T1:") || strings.HasSuffix(ws, ":T1") {
			t.Errorf("T1's key %s survived", k)
		}
	}
	firms, _ := s.Firms(ctx)
	var left []string
	for _, f := range firms {
		left = append(left, f.String())
	}
	if !slices.Equal(left, []string{"slack/T12", "slack/T12:C1", "slack/T1X:C1", teams.String()}) {
		t.Fatalf("firms left: %q", left)
	}
	if _, err := s.WorkspaceKeys(ctx, "T1:C1"); err == nil {
		t.Fatal("a channel id was taken for a workspace")
	}
}

// seedWorkspaces stores firms, viewers, ledger claims, sender locks,
// installations and their locks, and roles logs for workspaces T1, T12 and T1X, a Teams
// tenant whose channel id contains "T1", an org-wide install and a
// roadmap; it returns the Teams firm.
func seedWorkspaces(t *testing.T, s *store.Redis) firm.ID {
	t.Helper()
	ctx := context.Background()
	teams := firm.ID{Platform: firm.Teams, Workspace: "72f988bf-86f1-41af-91ab-2d7cd011db47", Channel: "19:T1@thread.tacv2"}
	for _, f := range []firm.ID{slackFirm("T1"), slackFirm("T1:C1"), slackFirm("T12"), slackFirm("T12:C1"), slackFirm("T1X:C1"), teams} {
		next, e := change(dialogs.Progress{}, "U1")
		if err := s.Commit(ctx, f, 0, next, e); err != nil {
			t.Fatal(err)
		}
		if err := s.AddViewer(ctx, f, "U1"); err != nil {
			t.Fatal(err)
		}
		o := ledger.Occurrence{Firm: f, Channel: "C1", Deadline: "d", Day: "2027-06-05", Lead: 7}
		if _, err := s.Claim(ctx, o, "tok", time.Now(), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	for _, ws := range []string{"T1", "T12"} {
		if _, err := s.LockSender(ctx, ws, "tok", time.Now(), time.Minute); err != nil {
			t.Fatal(err)
		}
		// The workspace's roles log and lists.
		e := dialogs.Entry{At: t0, User: "UINST", Action: "install_admin", Choice: "admin", Detail: "UINST", Version: 1}
		e.Seal(0, "")
		roles := dialogs.Roles{Version: 1, Admins: []string{"UINST"}, Seq: e.Seq, Head: e.Hash}
		if err := s.CommitRoles(ctx, firm.Workspace{Platform: firm.Slack, ID: ws}, 0, roles, e); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"team:" + ws, "grid:" + ws} {
			if err := s.PutInstallation(ctx, k, []byte("record")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.LockInstallation(ctx, "team:"+ws, "tok", time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutInstallation(ctx, "enterprise:E1", []byte("org")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.KeepRoadmap(ctx, []byte("roadmap text")); err != nil {
		t.Fatal(err)
	}
	return teams
}
