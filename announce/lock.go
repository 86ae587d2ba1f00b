package announce

import (
	"context"
	"errors"
	"time"
)

var errNoLock = errors.New("another sender holds the workspace")

// lock takes the workspace's sender lock for this run.
func (w *worker) lock(ctx context.Context) bool {
	ok, err := w.r.trips.lock(ctx, w.ws.ID)
	switch {
	case err != nil:
		w.r.s.stats.add(evError)
		w.r.s.log.Warn("announcements: cannot take the workspace's sender lock; trying next run", "workspace", w.ws, "err", err)
		return false
	case !ok:
		w.r.s.log.Debug("announcements: another sender is posting in this workspace", "workspace", w.ws)
		return false
	}
	w.lockedAt = time.Now()
	return true
}

// renew keeps the sender lock, renewing it a third of a lease after the
// last renewal; false means it was lost (this sender stalled past it).
func (w *worker) renew(ctx context.Context) bool {
	if time.Since(w.lockedAt) < w.r.s.cfg.Lease/3 {
		return true
	}
	return w.lock(ctx)
}

func (w *worker) unlock(ctx context.Context) {
	// A run cut short still lets the lock go, so other replicas need not
	// wait a lease; a crash leaves it to lapse.
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := w.r.s.cfg.Ledger.UnlockSender(uctx, w.ws.ID, w.r.token); err != nil {
		w.r.s.log.Warn("announcements: cannot release the sender lock; it lapses by itself", "workspace", w.ws, "err", err)
	}
}

// sleep waits d, renewing the sender lock on the way so a long
// Retry-After does not lose it; it returns early with ctx's error.
func (w *worker) sleep(ctx context.Context, d time.Duration) error {
	end := time.Now().Add(d)
	for {
		left := time.Until(end)
		if left <= 0 {
			return ctx.Err()
		}
		t := w.timerFor(min(left, w.r.s.cfg.Lease/3))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		if !w.renew(ctx) {
			return errNoLock
		}
	}
}

// wait blocks until channel may take a post within the workspace's
// budget and books the slot; it returns the channel's previous booking.
func (w *worker) wait(ctx context.Context, channel string) (time.Time, error) {
	if d := time.Until(w.pace.readyAt(channel)); d > 0 {
		if err := w.sleep(ctx, d); err != nil {
			return time.Time{}, err
		}
	}
	return w.pace.book(channel, time.Now()), nil
}
