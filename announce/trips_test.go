package announce

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
)

// gateLedger answers Settle after gate opens, recording each trip's
// size. A claim's answer names its occurrence's channel (in Ref), and so
// does a result's, so each caller can check it got its own.
type gateLedger struct {
	Ledger
	gate    chan struct{}
	entered atomic.Int64 // trips waiting at the gate

	mu     sync.Mutex
	trips  []int
	claims map[string]bool
}

func (g *gateLedger) Settle(ctx context.Context, done []ledger.Settlement, claims []ledger.Occurrence, token string, now time.Time, lease time.Duration) (rec, claimed []ledger.Claim, err error) {
	g.entered.Add(1)
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	g.trips = append(g.trips, len(done)+len(claims))
	for _, d := range done {
		rec = append(rec, ledger.Claim{Outcome: ledger.Done, State: d.State, Ref: d.Occurrence.Channel})
	}
	for _, o := range claims {
		g.claims[o.Channel] = true
		claimed = append(claimed, ledger.Claim{Outcome: ledger.Claimed, State: ledger.StateClaimed, Ref: o.Channel})
	}
	return rec, claimed, nil
}

// Requests that queue while trips are out go together in the next trip,
// each caller gets the answers to its own, and a caller that gave up
// before its trip left sends nothing.
func TestTripsCarryQueuedRequestsTogether(t *testing.T) {
	g := &gateLedger{gate: make(chan struct{}), claims: map[string]bool{}}
	r := newRig(t)
	s := r.scheduler(r.fake, func(c *Config) { c.Ledger = g })
	tr := s.newRun(ny("2027-05-29 09:00")).startTrips(context.Background())
	request := func(ctx context.Context, ch string) error {
		done := []ledger.Settlement{{Occurrence: ledger.Occurrence{Channel: ch + "done"}, State: ledger.StateSent}}
		claims := []ledger.Occurrence{{Channel: ch + "a"}, {Channel: ch + "b"}}
		rec, claimed, err := tr.settle(ctx, done, claims)
		if err == nil && (len(rec) != 1 || len(claimed) != 2 || rec[0].Ref != ch+"done" || claimed[0].Ref != ch+"a" || claimed[1].Ref != ch+"b") {
			t.Errorf("%s: got %v %v", ch, rec, claimed)
		}
		return err
	}

	const callers = 40
	var wg sync.WaitGroup
	call := func(i int) {
		wg.Go(func() {
			if err := request(context.Background(), "C"+strconv.Itoa(i)); err != nil {
				t.Error(err)
			}
		})
	}
	waitFor := func(cond func() bool) {
		for !cond() {
			time.Sleep(time.Millisecond)
		}
	}
	// The first callers each hold a trip at the gate; the rest queue.
	for i := range tripsOut {
		call(i)
		waitFor(func() bool { return g.entered.Load() == int64(i+1) })
	}
	for i := tripsOut; i < callers; i++ {
		call(i)
	}
	waitFor(func() bool { return len(tr.reqs) == callers-tripsOut })
	// One more queues, and gives up.
	gone, cancel := context.WithCancel(context.Background())
	wg.Go(func() {
		if err := request(gone, "gone"); err == nil {
			t.Error("a caller that gave up got answers")
		}
	})
	waitFor(func() bool { return len(tr.reqs) == callers-tripsOut+1 })
	cancel()
	close(g.gate)
	wg.Wait()
	tr.stop()

	if len(g.trips) > 2*tripsOut { // the held trips, then at most one more per loop
		t.Errorf("%d trips for %d callers: %v", len(g.trips), callers, g.trips)
	}
	if g.claims["gonea"] {
		t.Error("a caller that gave up while queued had its claims sent")
	}
}
