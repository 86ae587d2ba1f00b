// The walk: each worker takes its firms through the roadmap, one request
// at a time, and records what it sees.

package main

import (
	"context"
	"math/rand/v2"
	"time"
)

// worker walks its own firms one request at a time.
type worker struct {
	g       *gen
	spec    *phaseSpec
	firms   []*firm
	next    int
	rng     *rand.Rand
	a, b    *caller
	from    time.Time
	until   time.Time
	lat     [nKinds][]time.Duration
	errs    [nKinds][nErr]int64
	cardLat []time.Duration
	pairs   int64
}

func (w *worker) in(t time.Time) bool { return !t.Before(w.from) && t.Before(w.until) }

func (w *worker) record(k kind, r result) {
	if !w.in(r.start) {
		return
	}
	w.lat[k] = append(w.lat[k], r.lat)
	if r.err != errNone {
		w.errs[k][r.err]++
	}
}

func (w *worker) fail(k kind, at time.Time, e errClass) {
	if w.in(at) {
		w.errs[k][e]++
	}
}

func (w *worker) recordClick(k kind, o *clickOutcome) {
	w.record(k, o.ack)
	if o.sub != nil {
		w.record(kSubmit, *o.sub)
	}
	switch {
	case o.ok:
		if w.in(o.ack.start) {
			w.cardLat = append(w.cardLat, o.cardLat)
		}
	case o.cardErr != errNone:
		w.fail(k, o.ack.start, o.cardErr)
	}
}

func (w *worker) loop(ctx context.Context) {
	for ctx.Err() == nil && time.Now().Before(w.until) {
		f := w.firms[w.next]
		w.next = (w.next + 1) % len(w.firms)
		w.step(f)
	}
}

func (w *worker) step(f *firm) {
	switch {
	case w.spec.OnlyNext:
		w.command(f, cmdNext, false)
	case f.done:
		w.reset(f)
	case f.card == "":
		w.command(f, cmdNext, true)
	case w.rng.Float64() < w.spec.Mix:
		switch r := w.rng.Float64(); {
		case r < 0.5:
			w.command(f, cmdNext, true)
		case r < 0.8:
			w.command(f, cmdStatus, false)
		default:
			w.command(f, cmdHistory, false)
		}
	default:
		w.click(f)
	}
}

func (w *worker) command(f *firm, c int, learn bool) {
	r := w.g.do(w.a, w.spec.URL, f.cmd[c])
	w.record(cmdKind[c], r)
	if learn && r.err == errNone {
		f.learn(r.body)
	}
}

// click presses the current card's primary button; sometimes a second
// user presses the same card at the same moment, and exactly one of the
// two must confirm while the other is told nothing was changed.
func (w *worker) click(f *firm) {
	value, action := f.card, f.action
	if w.spec.Stale <= 0 || w.rng.Float64() >= w.spec.Stale {
		o := w.g.click(w.a, w.spec.URL, f, f.user, action, value)
		w.recordClick(kClick, &o)
		w.after(f, &o)
		return
	}
	var o2 clickOutcome
	done := make(chan struct{})
	go func() {
		defer close(done)
		o2 = w.g.click(w.b, w.spec.URL, f, f.other, action, value)
	}()
	o1 := w.g.click(w.a, w.spec.URL, f, f.user, action, value)
	<-done
	k1, k2 := kClick, kClick
	if o1.stale() {
		k1 = kStale
	}
	if o2.stale() {
		k2 = kStale
	}
	w.recordClick(k1, &o1)
	w.recordClick(k2, &o2)
	if o1.ok && o2.ok {
		if w.in(o1.ack.start) {
			w.pairs++
		}
		if k1 == k2 { // both confirmed, or neither did
			w.fail(kStale, o1.ack.start, errStaleCheck)
		}
	}
	if k1 == kClick {
		w.after(f, &o1)
	} else {
		w.after(f, &o2)
	}
}

// after moves the firm on to the card its click produced.
func (w *worker) after(f *firm, o *clickOutcome) {
	if !o.ok {
		f.card = "" // ask /cais-next again
		return
	}
	f.learn(o.card)
	if f.done {
		f.completed++
	}
}

// reset starts a finished firm over: the admin types reset and confirms.
// If the bot refuses (no admin configured), the firm becomes a new
// workspace instead.
func (w *worker) reset(f *firm) {
	r := w.g.do(w.a, w.spec.URL, f.cmd[cmdReset])
	w.record(kResetCmd, r)
	if r.err != errNone {
		return
	}
	action, value, ok := button(r.body, "danger")
	if !ok {
		f.gen++
		f.rebuild()
		return
	}
	o := w.g.click(w.a, w.spec.URL, f, f.admin, action, value)
	w.recordClick(kResetClick, &o)
	if o.ok {
		f.restarts++
		f.learn(o.card)
	}
}
