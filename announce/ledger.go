package announce

import (
	"context"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
)

// posted is a result waiting to be recorded with the next round trip.
type posted struct {
	j     *job
	state string
	ref   string
	at    time.Time // real time it happened
}

// recordWithin bounds how long a post may stay unrecorded while posting
// goes on. Should the process die first, the claim lapses and the next
// sender finds the post in history, so this trades Redis round trips
// against history lookups after a crash.
const recordWithin = time.Second

// claim records pending results and claims jobs in one round trip, and
// returns the jobs this run may now post. Jobs held by another sender or
// already settled are dropped.
func (w *worker) claim(ctx context.Context, jobs []*job) []*delivery {
	s := w.r.s
	var todo []*job
	now := w.r.clock()
	for _, j := range jobs {
		switch {
		case s.isDone(j):
		case !w.r.sameDay(now, j.at):
			w.r.skip(ctx, j) // the queue ran past midnight: the day is over
		case w.gone[j.occ.Channel]:
			w.settleNow(ctx, j, ledger.StateGone, "")
		default:
			todo = append(todo, j)
		}
	}
	occs := make([]ledger.Occurrence, len(todo))
	for i, j := range todo {
		occs[i] = j.occ
	}
	done := w.pending
	w.pending = nil
	rec, claimed, err := w.r.trips.settle(ctx, settlements(done), occs)
	if err != nil {
		w.pending = done // recorded with the next trip, or found in history later
		s.stats.add(evError)
		s.log.Warn("announcements: cannot claim reminders; trying next run", "workspace", w.ws, "reminders", len(todo), "err", err)
		return nil
	}
	w.recorded(done, rec)
	var out []*delivery
	for i, c := range claimed {
		switch c.Outcome {
		case ledger.Claimed, ledger.Retaken:
			out = append(out, w.newDelivery(todo[i], c.Outcome == ledger.Retaken))
		case ledger.Done:
			s.markDone(todo[i])
		}
	}
	return out
}

// posted queues a result; the queue goes with the next claim, or now if
// its oldest entry has waited recordWithin.
func (w *worker) posted(ctx context.Context, j *job, ref string) {
	w.pending = append(w.pending, posted{j: j, state: ledger.StateSent, ref: ref, at: time.Now()})
	if time.Since(w.pending[0].at) >= recordWithin {
		w.flush(ctx)
	}
}

// flush records the pending results now.
func (w *worker) flush(ctx context.Context) {
	if len(w.pending) == 0 {
		return
	}
	rec, _, err := w.r.trips.settle(ctx, settlements(w.pending), nil)
	if err != nil {
		w.r.s.stats.add(evError)
		w.r.s.log.Error("announcements: results not recorded; the next sender checks history before posting", "workspace", w.ws, "results", len(w.pending), "err", err)
		return
	}
	w.recorded(w.pending, rec)
	w.pending = nil
}

// settleNow records one result at once (gone, failed): rare, and the
// channel's later jobs depend on it.
func (w *worker) settleNow(ctx context.Context, j *job, state, ref string) {
	p := []posted{{j: j, state: state, ref: ref}}
	rec, _, err := w.r.trips.settle(ctx, settlements(p), nil)
	if err != nil {
		w.r.s.stats.add(evError)
		w.r.s.log.Error("announcements: result not recorded", append(occAttrs(j), "state", state, "err", err)...)
		return
	}
	w.recorded(p, rec)
}

// recorded notes what the ledger now holds, and reports a post made
// while another sender's post was already recorded.
func (w *worker) recorded(done []posted, rec []ledger.Claim) {
	s := w.r.s
	for i, p := range done {
		s.markDone(p.j)
		if p.state == ledger.StateSent && rec[i].State == ledger.StateSent && rec[i].Ref != p.ref {
			s.stats.add(evDuplicate)
			s.log.Error("reminder posted twice: another sender's post was recorded first", append(occAttrs(p.j), "ref", p.ref, "recorded", rec[i].Ref)...)
		}
	}
}

func settlements(ps []posted) []ledger.Settlement {
	out := make([]ledger.Settlement, len(ps))
	for i, p := range ps {
		out[i] = ledger.Settlement{Occurrence: p.j.occ, State: p.state, Ref: p.ref}
	}
	return out
}

// hold renews a claim when a third of its lease has gone by (a long
// wait for the budget, or retries), and tells whether it is still this
// run's: the check that keeps a stalled sender from posting over another.
func (d *delivery) hold(ctx context.Context) bool {
	s := d.w.r.s
	if time.Since(d.claimedAt) < s.cfg.Lease/3 {
		return true
	}
	_, c, err := d.w.r.trips.settle(ctx, nil, []ledger.Occurrence{d.j.occ})
	if err != nil || c[0].Outcome != ledger.Claimed {
		return false
	}
	d.claimedAt = time.Now()
	return true
}
