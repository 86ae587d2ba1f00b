// Package requests is what follows one chat request through a platform
// adapter and the sends it leaves behind: a logger carrying a request id,
// whether the user was shown a failure, and background work that shutdown
// waits for. Slack and Teams share it.
package requests

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// Request is one request's state.
type Request struct {
	id     uint64
	base   *slog.Logger
	attrs  []any
	once   sync.Once
	log    *slog.Logger
	failed atomic.Bool
}

type key struct{}

// Begin gives ctx a request with a fresh request id on log. The id only
// has to tell requests apart in the logs, so it needs no crypto/rand.
func Begin(ctx context.Context, log *slog.Logger, attrs ...any) (context.Context, *Request) {
	rq := &Request{id: rand.Uint64(), base: log, attrs: attrs}
	return context.WithValue(ctx, key{}, rq), rq
}

// Log is the request's logger, carrying its id. It is made on first use:
// most requests log nothing, and a logger with attributes costs more than
// the rest of a cached card.
func (r *Request) Log() *slog.Logger {
	r.once.Do(func() {
		id := strconv.FormatUint(r.id, 16)
		id = strings.Repeat("0", 16-len(id)) + id
		r.log = r.base.With(append([]any{"request_id", id}, r.attrs...)...)
	})
	return r.log
}

// Logger is the request's logger, or fallback outside a request.
func Logger(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if rq, ok := ctx.Value(key{}).(*Request); ok {
		return rq.Log()
	}
	return fallback
}

// MarkFailed records that the user was shown a failure (for metrics).
func MarkFailed(ctx context.Context) {
	if rq, ok := ctx.Value(key{}).(*Request); ok {
		rq.failed.Store(true)
	}
}

// Failed reports whether MarkFailed was called; a nil request has not failed.
func (r *Request) Failed() bool { return r != nil && r.failed.Load() }

// Failure marks the request failed, logs the cause (never shown to the
// user) and returns what the user is told instead.
func Failure(ctx context.Context, fallback *slog.Logger, f firm.ID, err error) dialogs.Reply {
	MarkFailed(ctx)
	Logger(ctx, fallback).Error("request failed", "firm", f, "err", err)
	return dialogs.Unavailable(err)
}

// Handled logs a command or click that was answered: at Info when it
// changed the firm's record, at Debug when it only read. Reads are counted
// in the metrics, and a line for each would cost more than the read.
func Handled(ctx context.Context, fallback *slog.Logger, msg string, f firm.ID, user, what string, reply dialogs.Reply) {
	level := slog.LevelDebug
	if reply.Changed {
		level = slog.LevelInfo
	}
	if fallback.Enabled(ctx, level) {
		Logger(ctx, fallback).Log(ctx, level, msg, "firm", f, "user", user, "command", what)
	}
}

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
