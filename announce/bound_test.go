package announce

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// countingFirms counts the firms the scheduler has read.
type countingFirms struct {
	FirmStore
	read atomic.Int64
}

func (c *countingFirms) LoadMany(ctx context.Context, firms []firm.ID) ([]dialogs.Progress, error) {
	c.read.Add(int64(len(firms)))
	return c.FirmStore.LoadMany(ctx, firms)
}

// While a workspace's posts are stuck (Slack hangs), the scheduler reads
// only as far ahead as a bounded number of jobs for it: its memory does
// not grow with the number of channels due.
func TestPlanningWaitsForAStuckWorkspace(t *testing.T) {
	const firms = 1500
	r := newRig(t)
	sc := benchScale{workspaces: 1, channels: firms}
	seedBench(t, r, sc)
	release := make(chan struct{})
	var once sync.Once
	r.fake.before = func(Message) { <-release }
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	counted := &countingFirms{FirmStore: r.store}
	s := r.scheduler(r.fake, func(c *Config) { c.Firms = counted })
	done := make(chan error, 1)
	go func() { done <- s.RunOnce(context.Background(), ny("2027-05-29 09:00")) }()

	// Wait until reading stops moving (the planner is waiting on the
	// worker), then check how far it got.
	last := int64(-1)
	for counted.read.Load() != last {
		last = counted.read.Load()
		time.Sleep(300 * time.Millisecond)
	}
	// Held by the worker, in the jobs channel, and in each loader's batch.
	bound := int64(maxHeld + maxBatch + 256 + (s.cfg.Loaders+1)*loadBatch)
	if last > bound || last >= firms {
		t.Fatalf("read %d of %d firms while the workspace's posts hung; want at most %d", last, firms, bound)
	}
	once.Do(func() { close(release) })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := len(r.fake.posts); got != firms {
		t.Fatalf("%d reminders posted once Slack answered; want %d", got, firms)
	}
}
