package slackbot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
)

// request is what follows one Slack request through the handler and its
// background sends: a logger carrying the request id, and whether the
// user was told of a failure.
type request struct {
	log    *slog.Logger
	failed atomic.Bool
}

type requestKey struct{}

// Observer receives one call per request: its kind ("command",
// "block_actions", "view_submission", "event", …), outcome ("ok",
// "error", "rejected") and latency. Metrics hang here.
type Observer func(kind, outcome string, d time.Duration)

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// begin starts a request's context with its own request id.
func (h *Handler) begin(ctx context.Context) (context.Context, *request) {
	rq := &request{log: h.log.With("request_id", newRequestID())}
	return context.WithValue(ctx, requestKey{}, rq), rq
}

// logger is the request's logger, or the handler's outside a request.
func (h *Handler) logger(ctx context.Context) *slog.Logger {
	if rq, ok := ctx.Value(requestKey{}).(*request); ok {
		return rq.log
	}
	return h.log
}

func markFailed(ctx context.Context) {
	if rq, ok := ctx.Value(requestKey{}).(*request); ok {
		rq.failed.Store(true)
	}
}

// observe reports a finished request to the Observer.
func (h *Handler) observe(kind string, rq *request, a answer, start time.Time) {
	if h.cfg.Observe == nil {
		return
	}
	outcome := "ok"
	switch {
	case a.status == 401 || a.status == 413 || a.status/100 == 4:
		outcome = "rejected"
	case rq.failed.Load():
		outcome = "error"
	}
	h.cfg.Observe(kind, outcome, time.Since(start))
}

// kindOf names a request's kind for metrics and logs.
func kindOf(contentType string, body []byte) string {
	if strings.HasPrefix(contentType, "application/json") {
		return "event"
	}
	s := string(body)
	switch {
	case strings.Contains(s, "payload="):
		if strings.Contains(s, "view_submission") {
			return "view_submission"
		}
		return "block_actions"
	case strings.Contains(s, "command="):
		return "command"
	}
	return "other"
}
