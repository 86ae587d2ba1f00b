package adapter

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
