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

// While posts are stuck (Slack hangs), the scheduler reads only as far
// ahead as the jobs it may hold: per workspace (maxHeld), and across
// workspaces (the run's budget), so its memory grows neither with the
// channels due in one workspace nor with the number of workspaces.
func TestPlanningWaitsWhilePostsHang(t *testing.T) {
	tests := []struct {
		name  string
		sc    benchScale
		held  int // jobs the scheduler may hold, in workers and budget
		queue int // the run's budget
	}{
		{"one workspace, more than a worker holds", benchScale{workspaces: 1, channels: 1500}, maxHeld + maxBatch, maxQueued},
		{"many workspaces, each under a worker's bound", benchScale{workspaces: 50, channels: 30}, 200, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			firms := tt.sc.workspaces * tt.sc.channels
			r := newRig(t)
			seedBench(t, r, tt.sc)
			release := make(chan struct{})
			var once sync.Once
			r.fake.before = func(Message) { <-release }
			t.Cleanup(func() { once.Do(func() { close(release) }) })
			counted := &countingFirms{FirmStore: r.store}
			s := r.scheduler(r.fake, func(c *Config) { c.Firms = counted })
			s.queued = tt.queue
			done := make(chan error, 1)
			go func() { done <- s.RunOnce(context.Background(), ny("2027-05-29 09:00")) }()

			// Wait until reading stops moving (the planner is waiting on
			// the workers), then check how far it got.
			last := int64(-1)
			for counted.read.Load() != last {
				last = counted.read.Load()
				time.Sleep(300 * time.Millisecond)
			}
			// Held, plus one in the dispatcher's hand, in the jobs
			// channel, and in each loader's batch.
			bound := int64(tt.held + 1 + 256 + (s.cfg.Loaders+1)*loadBatch)
			if last > bound || last >= int64(firms) {
				t.Fatalf("read %d of %d firms while posts hung; want at most %d", last, firms, bound)
			}
			once.Do(func() { close(release) })
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if got := len(r.fake.sent()); got != firms {
				t.Fatalf("%d reminders posted once Slack answered; want %d", got, firms)
			}
		})
	}
}
