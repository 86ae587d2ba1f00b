package announce

import (
	"context"
	"sync"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
)

// trips carries the claims and results of every workspace's worker to
// the Ledger together. A worker alone has few to send at a time: when
// many workspaces send at once and planning feeds each a job at a time,
// one. Sent one worker at a time, that was two round trips per post,
// and the Redis calls were most of a large run's CPU. Here requests
// queue while trips are out and the next trip takes all of them, so
// trips grow with load instead of their number.
type trips struct {
	r    *run
	ctx  context.Context // the run's values, never its cancellation
	reqs chan *tripReq
	wg   sync.WaitGroup
}

// tripReq is one worker's Settle: done are recorded and claims taken
// in one trip, in the order Ledger.Settle gives; or its sender lock.
type tripReq struct {
	ctx          context.Context
	done         []ledger.Settlement
	claims       []ledger.Occurrence
	rec, claimed []ledger.Claim
	lock         string // a workspace whose sender lock to take or renew
	locked       bool
	err          error
	ready        chan struct{}
}

const (
	// tripsOut is how many trips may be out at once: enough to keep
	// Redis busy while replies are read, few enough to batch well.
	tripsOut = 4
	// maxTrip bounds the commands one trip carries.
	maxTrip = 512
	// tripTimeout bounds one trip; it outlives the run's cancellation so
	// a stopping run still records what it posted.
	tripTimeout = 10 * time.Second
)

func (r *run) startTrips(ctx context.Context) *trips {
	t := &trips{r: r, ctx: context.WithoutCancel(ctx), reqs: make(chan *tripReq, 1024)}
	for range tripsOut {
		t.wg.Go(t.loop)
	}
	return t
}

// stop ends the trips once no worker sends any more.
func (t *trips) stop() {
	close(t.reqs)
	t.wg.Wait()
}

// settle is Ledger.Settle with the run's token, clock and lease, sent
// with other workers' requests. It returns early with ctx's error; the
// request may still be sent then (a claim it takes lapses unused, and a
// result it records is recorded again by the worker's later flush).
func (t *trips) settle(ctx context.Context, done []ledger.Settlement, claims []ledger.Occurrence) (rec, claimed []ledger.Claim, err error) {
	if len(done)+len(claims) == 0 {
		return nil, nil, nil
	}
	q := &tripReq{ctx: ctx, done: done, claims: claims, ready: make(chan struct{})}
	select {
	case t.reqs <- q:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	select {
	case <-q.ready:
		return q.rec, q.claimed, q.err
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// lock is Ledger.LockSenders for one workspace, sent with other
// workers' locks: a run's workers all start at once, and one round trip
// each, a thousand at a time, held back the first posts.
func (t *trips) lock(ctx context.Context, workspace string) (bool, error) {
	q := &tripReq{ctx: ctx, lock: workspace, ready: make(chan struct{})}
	select {
	case t.reqs <- q:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	select {
	case <-q.ready:
		return q.locked, q.err
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// loop sends whatever requests are waiting, up to maxTrip commands, in
// one trip, until stop.
func (t *trips) loop() {
	for q := range t.reqs {
		batch, n := []*tripReq{q}, q.size()
	more:
		for n < maxTrip {
			select {
			case q, ok := <-t.reqs:
				if !ok {
					break more
				}
				batch, n = append(batch, q), n+q.size()
			default:
				break more
			}
		}
		t.send(batch)
	}
}

// size is how many commands q adds to a trip.
func (q *tripReq) size() int {
	if q.lock != "" {
		return 1
	}
	return len(q.done) + len(q.claims)
}

// send makes one trip for batch (two if it holds both locks and
// settlements) and answers each request its part. Requests whose caller
// has gone are left out: it records its results again later, and a
// claim it would not use need not block a lease.
func (t *trips) send(batch []*tripReq) {
	var locks, settles []*tripReq
	for _, q := range batch {
		switch {
		case q.ctx.Err() != nil:
			q.err = q.ctx.Err()
			close(q.ready)
		case q.lock != "":
			locks = append(locks, q)
		default:
			settles = append(settles, q)
		}
	}
	ctx, cancel := context.WithTimeout(t.ctx, tripTimeout)
	defer cancel()
	if len(locks) > 0 {
		t.sendLocks(ctx, locks)
	}
	if len(settles) > 0 {
		t.sendSettles(ctx, settles)
	}
}

func (t *trips) sendLocks(ctx context.Context, locks []*tripReq) {
	workspaces := make([]string, len(locks))
	for i, q := range locks {
		workspaces[i] = q.lock
	}
	s := t.r.s
	locked, err := s.cfg.Ledger.LockSenders(ctx, workspaces, t.r.token, t.r.clock(), s.cfg.Lease)
	for i, q := range locks {
		if q.err = err; err == nil {
			q.locked = locked[i]
		}
		close(q.ready)
	}
}

func (t *trips) sendSettles(ctx context.Context, live []*tripReq) {
	nd, nc := 0, 0
	for _, q := range live {
		nd, nc = nd+len(q.done), nc+len(q.claims)
	}
	done, claims := make([]ledger.Settlement, 0, nd), make([]ledger.Occurrence, 0, nc)
	for _, q := range live {
		done, claims = append(done, q.done...), append(claims, q.claims...)
	}
	s := t.r.s
	rec, claimed, err := s.cfg.Ledger.Settle(ctx, done, claims, t.r.token, t.r.clock(), s.cfg.Lease)
	for _, q := range live {
		if q.err = err; err == nil {
			q.rec, rec = rec[:len(q.done):len(q.done)], rec[len(q.done):]
			q.claimed, claimed = claimed[:len(q.claims):len(q.claims)], claimed[len(q.claims):]
		}
		close(q.ready)
	}
}
