package adapter

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Background runs work after a response has gone, and lets shutdown wait.
type Background struct {
	wg sync.WaitGroup
	// Timeout bounds each task; the request's own deadline no longer applies.
	Timeout time.Duration
	// Log is the fallback logger for failures outside a request.
	Log *slog.Logger
}

// Go runs f with its own deadline but the request's logger, logging its
// error as "what failed".
func (b *Background) Go(ctx context.Context, what, name string, f func(ctx context.Context) error) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.Timeout)
		defer cancel()
		if err := f(ctx); err != nil {
			Logger(ctx, b.Log).Error(what+" failed", "call", name, "err", err)
		}
	}()
}

// Track counts a goroutine the caller runs itself; call the returned done.
func (b *Background) Track() (done func()) {
	b.wg.Add(1)
	return b.wg.Done
}

// Wait blocks until every task has finished.
func (b *Background) Wait() { b.wg.Wait() }
