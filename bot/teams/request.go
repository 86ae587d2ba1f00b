package teams

import (
	"context"
	"log/slog"

	"github.com/caisbot/caisbot/bot/adapter"
)

// begin starts an activity's context with its own request id.
func (h *Handler) begin(ctx context.Context, a *Activity) (context.Context, *adapter.Request) {
	return adapter.Begin(ctx, h.log, "activity", a.Type)
}

// logger is the request's logger, or the handler's outside a request.
func (h *Handler) logger(ctx context.Context) *slog.Logger { return adapter.Logger(ctx, h.log) }
