package store_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/store"
)

// readCounter counts the roles reads (HMGET of a roles hash) a client makes.
type readCounter struct{ n atomic.Int64 }

func (h *readCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *readCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			h.note(c)
		}
		return next(ctx, cmds)
	}
}
func (h *readCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, c redis.Cmder) error {
		h.note(c)
		return next(ctx, c)
	}
}

func (h *readCounter) note(c redis.Cmder) {
	if a := c.Args(); c.Name() == "hmget" && len(a) > 1 && strings.Contains(a[1].(string), "{roles:") {
		h.n.Add(1)
	}
}

// watched is a store on c whose WatchRoles runs until the test ends.
func watched(t *testing.T, c redis.UniversalClient, prefix string) *store.Redis {
	s := store.New(c, prefix)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.WatchRoles(ctx, discard()) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// eventually polls cond for up to 5 s: pub/sub delivery is asynchronous.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5 s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func principals(t *testing.T, s *store.Redis, ws firm.Workspace) []string {
	t.Helper()
	r, err := s.LoadRoles(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	return r.Principals
}

// Roles are read from Redis once while the store is subscribed to their
// changes, a change made through another replica reaches this one at
// once, and a store not subscribed (or no longer) reads every time.
func TestRolesKeptWhileSubscribed(t *testing.T) {
	ctx := context.Background()
	s, c, prefix := newStore(t)
	ws := firm.Workspace{Platform: firm.Slack, ID: "T1"}
	other := watched(t, c, prefix)
	svc := rolesService(t, other, ws)
	reads := &readCounter{}
	c.AddHook(reads)

	principals(t, s, ws)
	principals(t, s, ws)
	if n := reads.n.Load(); n != 2 {
		t.Fatalf("an unsubscribed store read roles %d times for 2 loads; want 2", n)
	}
	kept := watched(t, c, prefix)
	eventually(t, "a subscribed store keeps roles", func() bool {
		principals(t, kept, ws)
		before := reads.n.Load()
		principals(t, kept, ws)
		_, _, _ = kept.LoadWithRoles(ctx, firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: "C1"})
		return reads.n.Load() == before
	})
	f := firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: "C1"}
	before := reads.n.Load()
	if _, _, err := kept.LoadWithFreshRoles(ctx, f); err != nil || reads.n.Load() != before+1 {
		t.Fatalf("LoadWithFreshRoles read roles %d times, %v; want once", reads.n.Load()-before, err)
	}
	addPrincipal(t, svc, "UNEW")
	eventually(t, "a principal added on another replica is seen", func() bool {
		return slices.Contains(principals(t, kept, ws), "UNEW")
	})
	// The replica that made a change sees it at once, not when its own
	// message comes back.
	self, err := dialogs.NewService(&dialogs.Flow{Roadmap: dialogs.Default(), Loc: time.UTC}, kept, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	self.Roles = kept
	for _, u := range []string{"US1", "US2", "US3"} {
		addPrincipal(t, self, u)
		if got := principals(t, kept, ws); !slices.Contains(got, u) {
			t.Fatalf("principals just after adding %s on this replica: %v", u, got)
		}
	}
	d, err := other.WorkspaceKeys(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.DeleteWorkspace(ctx, d); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a deleted workspace's roles are gone", func() bool {
		return len(principals(t, kept, ws)) == 0
	})
}

// rolesService is a Service on s whose first admin of ws is UADMIN.
func rolesService(t *testing.T, s *store.Redis, ws firm.Workspace) *dialogs.Service {
	t.Helper()
	svc, err := dialogs.NewService(&dialogs.Flow{Roadmap: dialogs.Default(), Loc: time.UTC}, s, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	svc.Roles = s
	if err := svc.FirstAdmin(context.Background(), ws, "UADMIN", "Ada", t0); err != nil {
		t.Fatal(err)
	}
	return svc
}

func addPrincipal(t *testing.T, svc *dialogs.Service, user string) {
	t.Helper()
	cmd := dialogs.ParseCommand("principals add x")
	cmd.User = user
	f := firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: "C1"}
	if r, err := svc.Command(context.Background(), f, dialogs.Event{User: "UADMIN"}, cmd); err != nil || !r.Changed {
		t.Fatalf("principals add: %+v, %v", r, err)
	}
}

// When the subscription ends the store stops keeping roles: a change it
// could no longer hear of is read.
func TestRolesReadAgainWhenUnsubscribed(t *testing.T) {
	s, c, prefix := newStore(t)
	ws := firm.Workspace{Platform: firm.Slack, ID: "T1"}
	svc := rolesService(t, s, ws)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	kept := store.New(c, prefix)
	go func() { defer close(done); kept.WatchRoles(ctx, discard()) }()
	reads := &readCounter{}
	c.AddHook(reads)
	eventually(t, "roles kept", func() bool {
		principals(t, kept, ws)
		before := reads.n.Load()
		principals(t, kept, ws)
		return reads.n.Load() == before
	})
	cancel()
	<-done
	// Written without a publish reaching kept: it is no longer listening.
	addPrincipal(t, svc, "ULATE")
	if got := principals(t, kept, ws); !slices.Contains(got, "ULATE") {
		t.Errorf("principals after the subscription ended: %v; want ULATE read afresh", got)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
