package slackbot

import (
	"context"
	"encoding/json"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// Delivery keys (see adapter's Once): a signed HTTP request is its
// timestamp and signature (a replay repeats both; Slack signs each
// request anew), a Socket Mode request its envelope id, a form submission
// its view id and the submitted state.
func httpDelivery(timestamp, signature string) string {
	return adapter.DeliveryKey("slack", timestamp, signature)
}

func socketDelivery(envelopeID string) string {
	if envelopeID == "" {
		return ""
	}
	return adapter.DeliveryKey("slack-socket", envelopeID)
}

// once runs run at most once per delivery key: a duplicate gets the first
// answer again, or AlreadyHandled rendered by show, and changes nothing.
// If the store cannot claim the key, nothing runs and show renders the
// failure. run reports whether its delivery must stay claimed
// (adapter.Keeps).
func (h *Handler) once(ctx context.Context, key string, f firm.ID, show func(dialogs.Reply) answer, run func() (answer, bool)) answer {
	c, dup, err := h.cfg.Once.Begin(ctx, key)
	switch {
	case err != nil:
		return show(h.failure(ctx, err, f))
	case dup != nil:
		h.logger(ctx).Info("duplicate delivery answered; nothing changed", "firm", f, "done", dup.Done)
		if a, kept := replayed(dup); kept {
			return a
		}
		return show(adapter.AlreadyHandled())
	}
	a, keep := run()
	c.Finish(ctx, keep, a.kept())
	return a
}

// noBody stands for a first answer without a body.
const noBody = "-"

// kept is the answer as remembered for duplicates: its JSON body, or
// noBody; nil for an answer that is not a plain 200.
func (a answer) kept() []byte {
	if a.status != 200 || a.text != "" {
		return nil
	}
	switch b := a.body.(type) {
	case nil:
		return []byte(noBody)
	case json.RawMessage:
		return b
	}
	b, err := json.Marshal(a.body)
	if err != nil {
		return nil
	}
	return b
}

func replayed(d *adapter.Duplicate) (answer, bool) {
	switch {
	case !d.Done || len(d.Answer) == 0:
		return answer{}, false
	case string(d.Answer) == noBody:
		return ok(nil), true
	}
	return ok(json.RawMessage(d.Answer)), true
}
