package slackbot

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/caisbot/caisbot/bot/adapter"
)

// begin starts a request's context with its own request id.
func (h *Handler) begin(ctx context.Context) (context.Context, *adapter.Request) {
	return adapter.Begin(ctx, h.log)
}

// logger is the request's logger, or the handler's outside a request.
func (h *Handler) logger(ctx context.Context) *slog.Logger { return adapter.Logger(ctx, h.log) }

// observe reports a finished request to the Observer.
// Kinds are "command", "block_actions", "view_submission", "event", ….
func (h *Handler) observe(kind string, rq *adapter.Request, a answer, start time.Time) {
	h.cfg.Observe.Observe(kind, a.status, rq.Failed(), start)
}

// kindOf names a request's kind for metrics and logs.
func kindOf(contentType string, body []byte) string {
	if strings.HasPrefix(contentType, "application/json") {
		return "event"
	}
	switch { // bytes, not a string: no copy of the body
	case bytes.Contains(body, []byte("payload=")):
		if bytes.Contains(body, []byte("view_submission")) {
			return "view_submission"
		}
		return "block_actions"
	case bytes.Contains(body, []byte("command=")):
		return "command"
	}
	return "other"
}
