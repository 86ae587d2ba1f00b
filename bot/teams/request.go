package teams

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync/atomic"
)

// request follows one activity through the handler and its background
// sends: a logger carrying a request id, and whether the user was told
// of a failure.
type request struct {
	log    *slog.Logger
	failed atomic.Bool
}

type requestKey struct{}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// begin starts an activity's context with its own request id.
func (h *Handler) begin(ctx context.Context, a *Activity) (context.Context, *request) {
	rq := &request{log: h.log.With("request_id", newRequestID(), "activity", a.Type)}
	return context.WithValue(ctx, requestKey{}, rq), rq
}

// logger is the request's logger, or the handler's outside a request.
func (h *Handler) logger(ctx context.Context) *slog.Logger {
	if rq, ok := ctx.Value(requestKey{}).(*request); ok {
		return rq.log
	}
	return h.log
}

// markFailed records, from the request's own goroutine, that the user
// was shown a failure (for the Observer).
func markFailed(ctx context.Context) {
	if rq, ok := ctx.Value(requestKey{}).(*request); ok {
		rq.failed.Store(true)
	}
}
