package slackbot

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/caisbot/caisbot/bot/requests"
)

// Observer receives one call per request: its kind ("command",
// "block_actions", "view_submission", "event", …), outcome ("ok",
// "error", "rejected") and latency. Metrics hang here.
type Observer func(kind, outcome string, d time.Duration)

// begin starts a request's context with its own request id.
func (h *Handler) begin(ctx context.Context) (context.Context, *requests.Request) {
	return requests.Begin(ctx, h.log)
}

// logger is the request's logger, or the handler's outside a request.
func (h *Handler) logger(ctx context.Context) *slog.Logger { return requests.Logger(ctx, h.log) }

// observe reports a finished request to the Observer.
func (h *Handler) observe(kind string, rq *requests.Request, a answer, start time.Time) {
	if h.cfg.Observe == nil {
		return
	}
	outcome := "ok"
	switch {
	case a.status == 401 || a.status == 413 || a.status/100 == 4:
		outcome = "rejected"
	case rq.Failed():
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
