package adapter

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// MaxFormInput bounds what a user may type into a form on any platform;
// the form says so, and longer input is refused with FormTooLong.
const MaxFormInput = 1500

// FormTooLong is the form's error for input over MaxFormInput.
var FormTooLong = fmt.Sprintf("At most %d characters, please.", MaxFormInput)

// CardOutOfDate tells a user whose change was saved that the platform
// did not accept the updated card, so nobody mistakes a stale card for a
// lost confirmation. seeWhere says where the team can see the change.
func CardOutOfDate(platform, seeWhere string) dialogs.Reply {
	return dialogs.Notice("Saved, but your card is out of date", fmt.Sprintf(
		"Your answer was recorded (%s), but %s did not accept the updated card. Type `{cmd}` for the current step.", seeWhere, platform))
}

// FallbackText is the first text of a reply (its title, else its first
// non-empty part), for notifications and clients that show no cards; ""
// if it has none. Each platform renders it in its own markup.
func FallbackText(r dialogs.Reply) string {
	if r.Title != "" {
		return r.Title
	}
	for _, p := range r.Parts {
		if p.Text != "" {
			return p.Text
		}
	}
	return ""
}

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
