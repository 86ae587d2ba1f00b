package adapter

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stuck is a platform that hangs until released; it counts calls.
type stuck struct {
	release chan struct{}
	started atomic.Int64
	order   []string
	mu      sync.Mutex
}

func (s *stuck) call(name string) func(context.Context) error {
	return func(ctx context.Context) error {
		s.started.Add(1)
		s.mu.Lock()
		s.order = append(s.order, name)
		s.mu.Unlock()
		select {
		case <-s.release:
		case <-ctx.Done():
		}
		return nil
	}
}

// waitFor polls until cond holds (a scheduling condition, not a speed).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBackgroundBoundsAHangingPlatform(t *testing.T) {
	var shed sync.Map
	b := &Background{Timeout: time.Minute, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Limit: 4, PerKey: 2, Waiting: 3, WaitingTotal: 5,
		OnShed: func(name, why string) { shed.Store(name, why) }}
	p := &stuck{release: make(chan struct{})}
	ws := func(k string) context.Context { return WithKey(context.Background(), k) }
	for _, n := range []string{"a1", "a2", "a3", "a4", "a5", "a6"} {
		b.Go(ws("A"), "call", n, p.call(n))
	}
	waitFor(t, "A's two slots", func() bool { return p.started.Load() == 2 })
	if _, ok := shed.Load("a6"); !ok {
		t.Fatal("a sixth task of one workspace, over its 2 running and 3 waiting, was not shed")
	}
	// Another workspace still gets its own slots while A hangs.
	b.Go(ws("B"), "call", "b1", p.call("b1"))
	b.Go(ws("B"), "call", "b2", p.call("b2"))
	b.Go(ws("B"), "call", "b3", p.call("b3")) // waits: the total of 4 runs
	b.Go(ws("B"), "call", "b4", p.call("b4")) // the total waiting of 5 is reached
	b.Go(ws("C"), "call", "c1", p.call("c1"))
	waitFor(t, "B's two slots", func() bool { return p.started.Load() == 4 })
	if running, waiting := b.Load(); running != 4 || waiting != 5 {
		t.Fatalf("running %d, waiting %d; want 4 and 5", running, waiting)
	}
	if _, ok := shed.Load("c1"); !ok {
		t.Fatal("a task over the total waiting bound was not shed")
	}
	// A newer update of the same target replaces a waiting one.
	b.Latest(ws("A"), "call", "home-old", "home:U1", p.call("home-old"))
	if _, ok := shed.Load("home-old"); !ok {
		t.Fatal("an update with no waiting one to replace, over the bounds, was not shed")
	}
	close(p.release)
	b.Wait()
	if got := p.started.Load(); got != 9 {
		t.Fatalf("%d tasks ran once the platform answered; want the 9 kept", got)
	}
}

// Waiting tasks run first come, first served (one slot: one at a time).
func TestBackgroundRunsWaitingTasksInOrder(t *testing.T) {
	b := &Background{Timeout: time.Minute, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Limit: 1, PerKey: 1}
	p := &stuck{release: make(chan struct{})}
	ctx := WithKey(context.Background(), "A")
	for _, n := range []string{"t1", "t2", "t3", "t4", "t5"} {
		b.Go(ctx, "call", n, p.call(n))
	}
	close(p.release)
	b.Wait()
	if got := strings.Join(p.order, " "); got != "t1 t2 t3 t4 t5" {
		t.Errorf("ran %s; want first come first served", got)
	}
}

func TestBackgroundLatestReplacesAWaitingUpdate(t *testing.T) {
	var shed []string
	var mu sync.Mutex
	b := &Background{Timeout: time.Minute, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Limit: 1, PerKey: 1,
		OnShed: func(name, why string) { mu.Lock(); shed = append(shed, name+":"+why); mu.Unlock() }}
	p := &stuck{release: make(chan struct{})}
	ctx := WithKey(context.Background(), "A")
	b.Go(ctx, "call", "line", p.call("line"))
	waitFor(t, "the first task", func() bool { return p.started.Load() == 1 })
	b.Latest(ctx, "call", "home-1", "home:U1", p.call("home-1"))
	b.Latest(ctx, "call", "home-2", "home:U1", p.call("home-2"))
	b.Latest(ctx, "call", "home-U2", "home:U2", p.call("home-U2"))
	close(p.release)
	b.Wait()
	if strings.Join(p.order, " ") != "line home-2 home-U2" {
		t.Errorf("ran %v; want the line, then only the newest of U1's Home updates, then U2's", p.order)
	}
	if strings.Join(shed, " ") != "home-1:superseded" {
		t.Errorf("shed %v; want home-1 superseded", shed)
	}
}

// A shutdown while the platform hangs ends when its grace ends: waiting
// sends are dropped (counted) and running ones canceled.
func TestBackgroundDrainGivesUpOnAHangingPlatform(t *testing.T) {
	var mu sync.Mutex
	shed := map[string]string{}
	b := &Background{Timeout: time.Hour, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Limit: 2, PerKey: 2,
		OnShed: func(name, why string) { mu.Lock(); shed[name] = why; mu.Unlock() }}
	p := &stuck{release: make(chan struct{})} // never released
	ctx := WithKey(context.Background(), "A")
	for _, n := range []string{"r1", "r2", "w1", "w2"} {
		b.Go(ctx, "call", n, p.call(n))
	}
	waitFor(t, "two running", func() bool { return p.started.Load() == 2 })
	grace, cancel := context.WithCancel(context.Background())
	cancel() // the grace period is over
	b.Drain(grace)
	if running, waiting := b.Load(); running != 0 || waiting != 0 {
		t.Fatalf("after Drain: %d running, %d waiting", running, waiting)
	}
	if shed["w1"] != "shutdown" || shed["w2"] != "shutdown" || p.started.Load() != 2 {
		t.Fatalf("shed %v, started %d; want the two waiting dropped at shutdown and never run", shed, p.started.Load())
	}
	b.Go(ctx, "call", "late", p.call("late"))
	if shed["late"] != "shutdown" {
		t.Fatalf("a send after the drain was not dropped: %v", shed)
	}
}

// A workspace whose sends are done leaves nothing behind, even when its
// last task's slot went to another workspace's waiting send: the lanes
// would otherwise grow with every workspace ever served.
func TestBackgroundForgetsIdleWorkspaces(t *testing.T) {
	b := &Background{Timeout: time.Second, Limit: 1}
	release := make(chan struct{})
	b.Go(WithKey(context.Background(), "T1"), "send", "a", func(context.Context) error { <-release; return nil })
	b.Go(WithKey(context.Background(), "T2"), "send", "b", func(context.Context) error { return nil })
	if running, waiting := b.Load(); running != 1 || waiting != 1 {
		t.Fatalf("running %d, waiting %d; want T1's send running and T2's waiting", running, waiting)
	}
	close(release)
	b.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.lanes) != 0 {
		t.Fatalf("%d workspaces still kept after every send finished", len(b.lanes))
	}
}
