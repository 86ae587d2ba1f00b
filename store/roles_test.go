package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// Roles through the real Service and store: the first admin, a change,
// the log's chain and a concurrent writer's conflict.
func TestRolesRoundTrip(t *testing.T) {
	s, c, prefix := newStore(t)
	ctx := context.Background()
	svc, err := dialogs.NewService(&dialogs.Flow{Roadmap: dialogs.Default(), Loc: time.UTC}, s, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	svc.Roles = s
	ws := firm.Workspace{Platform: firm.Slack, ID: "T1"}
	if err := svc.FirstAdmin(ctx, ws, "UINST", "Ina", t0); err != nil {
		t.Fatal(err)
	}
	cmd := dialogs.ParseCommand("principals add x")
	cmd.User = "UPRIN"
	if r, err := svc.Command(ctx, firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: "C1"}, dialogs.Event{User: "UINST"}, cmd); err != nil || !r.Changed {
		t.Fatalf("principals add: %+v, %v", r, err)
	}
	r, log, err := s.RolesTrail(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Admins, []string{"UINST"}) || !slices.Equal(r.Principals, []string{"UPRIN"}) || r.Version != 2 || len(log) != 2 {
		t.Fatalf("roles %+v, log %d", r, len(log))
	}
	if b := dialogs.VerifyChain(log, r.Head); b != nil {
		t.Errorf("chain: %v", b)
	}
	// A writer that loaded before the change conflicts and writes nothing.
	stale := r
	stale.Version = 1
	if err := s.CommitRoles(ctx, ws, 1, stale, log[1]); !errors.Is(err, dialogs.ErrConflict) {
		t.Errorf("stale commit: %v", err)
	}
	// A retried commit whose reply was lost is accepted, not a conflict.
	if err := s.CommitRoles(ctx, ws, 1, r, log[1]); err != nil {
		t.Errorf("replayed commit: %v", err)
	}
	if n, _ := c.LLen(ctx, prefix+"{roles:slack/T1}:log").Result(); n != 2 {
		t.Errorf("log length %d after the replay", n)
	}
	// Another workspace has none of these roles.
	if other, err := s.LoadRoles(ctx, firm.Workspace{Platform: firm.Slack, ID: "T2"}); err != nil || other.Version != 0 || len(other.Admins) != 0 {
		t.Errorf("T2 roles %+v, %v", other, err)
	}
}

func TestRolesHalfWrittenIsAnIntegrityFailure(t *testing.T) {
	s, c, prefix := newStore(t)
	ctx := context.Background()
	c.HSet(ctx, prefix+"{roles:slack/T1}:state", "v", "3")
	if _, err := s.LoadRoles(ctx, firm.Workspace{Platform: firm.Slack, ID: "T1"}); !errors.Is(err, dialogs.ErrIntegrity) {
		t.Errorf("half-written roles: %v", err)
	}
	if _, err := s.LoadRoles(ctx, firm.Workspace{Platform: firm.Slack, ID: "T{1}"}); err == nil {
		t.Error("a workspace id with braces was accepted")
	}
}

func TestFirmsInListsOneWorkspace(t *testing.T) {
	s, c, prefix := newStore(t)
	ctx := context.Background()
	// Members as builds write them now, and bare keys of older builds.
	c.SAdd(ctx, prefix+"firms", "slack/T1:C1", "slack/T1:C2", "slack/T10:C1", "slack/T2:C1", "T1:C3", "teams/T1:19x", "slack/T1")
	got, err := s.FirmsIn(ctx, firm.Workspace{Platform: firm.Slack, ID: "T1"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range got {
		names = append(names, f.String())
	}
	want := []string{"slack/T1", "slack/T1:C1", "slack/T1:C2", "slack/T1:C3"}
	if !slices.Equal(names, want) {
		t.Errorf("FirmsIn(T1) = %v, want %v", names, want)
	}
}

func TestLoadWithRolesReadsBoth(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	f := firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: "C1"}
	next, e := change(dialogs.Progress{}, "U1")
	if err := s.Commit(ctx, f, 0, next, e); err != nil {
		t.Fatal(err)
	}
	roles := dialogs.Roles{Version: 1, Admins: []string{"UA"}}
	re := dialogs.Entry{Action: dialogs.ActInstallAdmin, Choice: "admin", Detail: "UA", User: "UA", At: t0, Version: 1}
	re.Seal(0, "")
	roles.Seq, roles.Head = re.Seq, re.Hash
	if err := s.CommitRoles(ctx, f.Space(), 0, roles, re); err != nil {
		t.Fatal(err)
	}
	p, r, err := s.LoadWithRoles(ctx, f)
	if err != nil || p.Version != 1 || p.Current != next.Current || !slices.Equal(r.Admins, []string{"UA"}) || r.Version != 1 {
		t.Fatalf("LoadWithRoles = %+v, %+v, %v", p, r, err)
	}
	// A firm of another workspace reads that workspace's (no) roles.
	other := firm.ID{Platform: firm.Slack, Workspace: "T2", Channel: "C1"}
	if _, r, err := s.LoadWithRoles(ctx, other); err != nil || len(r.Admins) != 0 {
		t.Errorf("T2: %+v, %v", r, err)
	}
}
