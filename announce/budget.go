package announce

import "context"

// budget bounds the jobs a run holds across all its workspaces: planned
// and not yet settled, whether queued in a worker or being posted. Each
// job holds its firm's decoded progress (a few KB), so without a bound
// a run whose planning outpaces posting (at Slack's real limits, always)
// holds every workspace's full queue at once: memory grows with the
// number of workspaces. A slot is taken before a job reaches a worker
// and given back when the worker is done with it, however that ends.
type budget chan struct{}

// maxQueued is a run's budget: about 8 MB of jobs. A workspace keeps its
// pace with a job or two in hand, so this limits memory, not speed, up
// to about 2,000 workspaces sending at once; beyond that they take turns
// and a run lasts longer (reminders are not urgent). 4,096 cost 27 MiB
// more peak RSS at 100,000 channels and gained no time.
const maxQueued = 2048

func newBudget(n int) budget { return make(budget, n) }

// take waits for a slot; false when ctx ended first.
func (b budget) take(ctx context.Context) bool {
	select {
	case b <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// give returns n slots.
func (b budget) give(n int) {
	for range n {
		<-b
	}
}
