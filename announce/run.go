package announce

import (
	"context"
	"crypto/rand"
	"sync"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// run is one RunOnce: its clock, its claim token and its workers.
type run struct {
	s     *Scheduler
	now   time.Time // the injected clock at the start
	start time.Time // the real clock at the start
	today string    // local date at the start
	// token marks this run's claims and locks. A later run of the same
	// scheduler has another token, so a claim this run left behind is
	// retaken only after it lapses, and only after a look at history.
	token string
	held  budget // the jobs the run's workers hold, across workspaces
	trips *trips // the run's claims and results, sent to the Ledger together
}

func (s *Scheduler) newRun(now time.Time) *run {
	r := &run{s: s, now: now, start: time.Now(), token: rand.Text(), held: newBudget(s.queued)}
	r.today = r.dayOf(now)
	return r
}

// clock is the injected time, moving on with real time during the run.
func (r *run) clock() time.Time { return r.now.Add(time.Since(r.start)) }

// dayOf is t's local date.
func (r *run) dayOf(t time.Time) string { return t.In(r.s.cfg.Service.Flow.Loc).Format(time.DateOnly) }

// sameDay reports whether a and b fall on one local date (dayOf's, with
// no text to build: it is asked for every job claimed).
func (r *run) sameDay(a, b time.Time) bool {
	ay, am, ad := a.In(r.s.cfg.Service.Flow.Loc).Date()
	by, bm, bd := b.In(r.s.cfg.Service.Flow.Loc).Date()
	return ay == by && am == bm && ad == bd
}

// loadBatch is how many firms one round trip reads. Firms are
// interleaved by workspace, so a batch feeds up to this many workers.
const loadBatch = 100

// planAll reads every firm (Loaders batches at a time) and sends its due
// jobs on; missed ones are recorded here. It closes jobs when done.
func (r *run) planAll(ctx context.Context, firms []firm.ID, jobs chan<- *job) {
	defer close(jobs)
	batches := make(chan []firm.ID)
	var wg sync.WaitGroup
	for range r.s.cfg.Loaders {
		wg.Go(func() {
			for b := range batches {
				r.planBatch(ctx, b, jobs)
			}
		})
	}
	for i := 0; i < len(firms) && ctx.Err() == nil; i += loadBatch {
		select {
		case batches <- firms[i:min(i+loadBatch, len(firms))]:
		case <-ctx.Done():
		}
	}
	close(batches)
	wg.Wait()
}

func (r *run) planBatch(ctx context.Context, firms []firm.ID, jobs chan<- *job) {
	ps, err := r.s.cfg.Firms.LoadMany(ctx, firms)
	if err != nil {
		r.s.stats.add(evError)
		r.s.log.Warn("announcements: cannot read firms; trying next run", "firms", len(firms), "first", firms[0], "err", err)
		return
	}
	for i := range ps {
		if len(ps[i].Channels) > 0 && !r.planFirm(ctx, firms[i], &ps[i], jobs) {
			return
		}
	}
}

// planFirm sends the firm's due jobs on; false when ctx ended.
func (r *run) planFirm(ctx context.Context, f firm.ID, p *dialogs.Progress, jobs chan<- *job) bool {
	due, missed := plan(r.s.cfg.Service.Flow, f, p, r.now)
	for i := range missed {
		r.skip(ctx, &missed[i])
	}
	// Jobs travel by pointer from here on (queues, claims, deliveries,
	// results): copied, each was a few hundred bytes several times over.
	for i := range due {
		j := &due[i]
		if r.s.isDone(j) {
			continue
		}
		select {
		case jobs <- j:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// skip records a reminder whose day passed; the first replica to do so
// logs it.
func (r *run) skip(ctx context.Context, j *job) {
	if r.s.isDone(j) {
		return
	}
	prev, err := r.s.cfg.Ledger.Skip(ctx, j.occ, r.clock())
	switch {
	case err != nil:
		r.s.stats.add(evError)
		r.s.log.Warn("announcements: cannot record a skipped reminder", "err", err)
		return
	case prev == "held":
		return // its sender may still be posting; the next run decides
	}
	r.s.markDone(j)
	log := r.s.log.With(occAttrs(j)...)
	switch prev {
	case "":
		r.s.stats.add(evSkipped)
		log.Info("reminder skipped: its day passed with no sender running (or the deadline or subscription came later)")
	case ledger.StateClaimed:
		r.s.stats.add(evMissed)
		log.Error("reminder never delivered on its day: every attempt failed")
	}
}

// dispatch hands each job to its workspace's worker, starting workers as
// workspaces appear, and waits for all of them. It takes a slot of the
// run's budget for each job first, so planning waits while the run holds
// maxQueued jobs, whatever the number of workspaces.
func (r *run) dispatch(ctx context.Context, jobs <-chan *job) {
	workers := map[Workspace]*worker{}
	var wg sync.WaitGroup
	for j := range jobs {
		w := workers[j.workspace]
		if w == nil {
			w = newWorker(r, j.workspace)
			workers[j.workspace] = w
			wg.Go(func() { w.run(ctx) })
		}
		if !r.held.take(ctx) {
			continue // the run is over: planning stops too
		}
		if !w.add(ctx, j) {
			r.held.give(1)
		}
	}
	for _, w := range workers {
		w.close()
	}
	wg.Wait()
}

func occAttrs(j *job) []any {
	o := j.occ
	return []any{"firm", o.Firm, "channel", o.Channel, "deadline", o.Deadline, "day", o.Day, "lead", o.Lead}
}
