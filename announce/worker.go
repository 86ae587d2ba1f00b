package announce

import (
	"context"
	"slices"
	"sync"
	"time"
)

// worker sends one workspace's jobs, one post at a time, within its
// limits. Several workspaces' workers run at once.
type worker struct {
	r    *run
	ws   Workspace
	pace *pacer

	mu     sync.Mutex
	inbox  []*job
	closed bool
	dead   bool          // another sender holds the workspace, or run ended: drop jobs
	signal chan struct{} // wakes take() when a job arrives or input ends
	// room holds a token for each job the worker may still take in: add
	// waits for one, pick returns one per job it takes out to post, so
	// the planner never runs further ahead than maxHeld jobs per
	// workspace. gone is closed when the worker stops taking jobs.
	room    chan struct{}
	stopped chan struct{}

	queue    []*job // arrived, in order
	deferred []*job // taken from queue while their channel was resting
	gone     map[string]bool
	pending  []posted    // results not yet recorded
	lockedAt time.Time   // real time of the last sender-lock renewal
	timer    *time.Timer // see timerFor
}

// maxHeld bounds the jobs one workspace's worker holds before posting
// them: four claim batches. Planning waits when a worker is full (and
// when the run's budget is spent, however many workspaces share it).
// Firms are planned round-robin by workspace (interleave), so a full
// worker holds up only its own workspace's later jobs, which wait for
// its rate limit anyway.
const maxHeld = 4 * maxBatch

func newWorker(r *run, ws Workspace) *worker {
	w := &worker{r: r, ws: ws, pace: r.s.pacerFor(ws), signal: make(chan struct{}, 1), gone: map[string]bool{},
		room: make(chan struct{}, maxHeld), stopped: make(chan struct{})}
	for range maxHeld {
		w.room <- struct{}{}
	}
	return w
}

// add hands the worker a job, waiting while it holds maxHeld; false when
// the job was dropped because the worker stopped or ctx ended.
func (w *worker) add(ctx context.Context, j *job) bool {
	select {
	case <-w.room:
	case <-w.stopped:
		return false
	case <-ctx.Done():
		return false
	}
	w.mu.Lock()
	ok := !w.dead
	if ok {
		w.inbox = append(w.inbox, j)
	}
	w.mu.Unlock()
	w.wake()
	return ok
}

func (w *worker) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.wake()
}

func (w *worker) wake() {
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

// run claims a batch of jobs in one round trip (recording the previous
// batch's results in the same trip), posts them, and goes on until the
// input is done.
func (w *worker) run(ctx context.Context) {
	// However the worker ends, the planner must not wait on it.
	defer w.discard()
	if !w.lock(ctx) {
		return
	}
	defer w.unlock(ctx)
	// What was posted is recorded even when the run is cut short: a
	// graceful stop then leaves no post to find in history.
	defer func() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		w.flush(fctx)
	}()
	w.pace.forget(time.Now())
	for {
		jobs, ok := w.take(ctx)
		if !ok {
			return
		}
		ds := w.claim(ctx, jobs)
		w.r.held.give(len(jobs) - len(ds))
		for i, d := range ds {
			if ctx.Err() != nil || !w.renew(ctx) {
				w.r.held.give(len(ds) - i)
				return
			}
			d.run(ctx)
			w.r.held.give(1)
		}
	}
}

// discard drops this run's jobs for the workspace, giving back their
// slots, and takes no more: the sender holding it (another replica)
// plans them too, or the run ended.
func (w *worker) discard() {
	w.mu.Lock()
	if !w.dead {
		close(w.stopped)
	}
	n := len(w.inbox) + len(w.queue) + len(w.deferred)
	w.dead, w.inbox, w.queue, w.deferred = true, nil, nil, nil
	w.mu.Unlock()
	w.r.held.give(n)
}

// maxBatch bounds the posts claimed in one round trip.
const maxBatch = 16

// batchSize claims ahead only as far as a third of a lease covers at the
// workspace's pace, so claims never lapse while they wait their turn.
func (w *worker) batchSize() int {
	n := int(w.r.s.cfg.Lease / 3 / max(w.r.s.cfg.Limits.Workspace, time.Millisecond))
	return min(max(n, 1), maxBatch)
}

// take returns the next jobs to post, waiting for one if need be; false
// when the input is done or ctx ends.
func (w *worker) take(ctx context.Context) ([]*job, bool) {
	for {
		w.mu.Lock()
		w.queue = append(w.queue, w.inbox...)
		w.inbox = nil
		closed := w.closed
		w.mu.Unlock()
		if jobs := w.pick(time.Now(), w.batchSize()); len(jobs) > 0 {
			return jobs, true
		}
		if closed && len(w.queue) == 0 && len(w.deferred) == 0 {
			return nil, false
		}
		w.flush(ctx) // about to wait: record what is done meanwhile
		wait := time.Hour
		if len(w.deferred) > 0 {
			wait = time.Until(w.pace.earliest(w.deferred))
		}
		t := w.timerFor(max(wait, 0))
		select {
		case <-w.signal:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		if ctx.Err() != nil {
			return nil, false
		}
	}
}

// pick takes up to n jobs, each of a different channel that may take a
// post by the workspace slot it will get; the others wait in deferred.
func (w *worker) pick(now time.Time, n int) []*job {
	slot := later(now, w.pace.next)
	var out []*job
	fits := func(j *job) bool {
		ch := j.occ.Channel
		// out holds at most maxBatch jobs: a scan costs less than the
		// map of taken channels it replaced, made on every call.
		taken := slices.ContainsFunc(out, func(o *job) bool { return o.occ.Channel == ch })
		ok := !taken && !w.pace.channels[ch].After(slot.Add(time.Duration(len(out))*w.pace.lim.Workspace))
		if ok {
			out = append(out, j)
		}
		return ok
	}
	w.deferred = slices.DeleteFunc(w.deferred, func(j *job) bool { return len(out) < n && fits(j) })
	for len(w.queue) > 0 && len(out) < n {
		j := w.queue[0]
		w.queue = w.queue[1:]
		if !fits(j) {
			w.deferred = append(w.deferred, j)
		}
	}
	for range out {
		w.room <- struct{}{}
	}
	return out
}

// timerFor returns the worker's one timer, set to fire after d. A worker
// waits before nearly every post (take, sleep), and a timer each time
// was an allocation each; since Go 1.23 Reset leaves no stale tick.
func (w *worker) timerFor(d time.Duration) *time.Timer {
	if w.timer == nil {
		w.timer = time.NewTimer(d)
	} else {
		w.timer.Reset(d)
	}
	return w.timer
}
