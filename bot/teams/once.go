package teams

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// delivery is an activity's delivery key (see adapter's Once): the Bot
// Framework re-sends an activity with its id, and ids are unique within
// a conversation. A form submitted from a card is keyed by the card and
// what was submitted, so a double click on its submit button (two
// activities) is one delivery too. An activity without an id is not
// claimed.
func delivery(a *Activity) string {
	if data := submitted(a); data[dataForm] != "" && a.ReplyToID != "" {
		return adapter.FormKey("teams", a.conversationID()+"\n"+a.ReplyToID, data)
	}
	if a.ID == "" {
		return ""
	}
	return adapter.DeliveryKey("teams", a.conversationID(), a.ID)
}

// submitted is a card action's data: an Action.Submit's value, or an
// Action.Execute's data; nil for anything else.
func submitted(a *Activity) map[string]string {
	raw := a.Value
	if a.Type == typeInvoke {
		var v struct {
			Action struct {
				Data json.RawMessage `json:"data"`
			} `json:"action"`
		}
		_ = json.Unmarshal(a.Value, &v)
		raw = v.Action.Data
	}
	data, _ := cardData(raw)
	return data
}

// once runs run at most once per activity. A re-sent message or card
// submit is acknowledged and sends nothing (the first one's reply went
// to the chat); a re-sent invoke gets the first invoke's response again.
// If the store cannot claim the activity, nothing runs and show renders
// the failure.
func (h *Handler) once(ctx context.Context, a *Activity, show func(dialogs.Reply) answer, run func() answer) answer {
	c, dup, err := h.cfg.Once.Begin(ctx, delivery(a))
	switch {
	case err != nil:
		return show(h.failure(ctx, err, h.firmOrZero(a)))
	case dup != nil:
		h.logger(ctx).Info("re-sent activity answered; nothing changed", "type", a.Type, "done", dup.Done)
		if a.Type != typeInvoke {
			return ok()
		}
		if dup.Done && len(dup.Answer) > 0 {
			return answer{status: http.StatusOK, body: json.RawMessage(dup.Answer)}
		}
		return show(adapter.AlreadyHandled())
	}
	ans := run()
	var kept []byte
	if ans.status == http.StatusOK && ans.body != nil {
		kept, _ = json.Marshal(ans.body)
	}
	c.Finish(ctx, ans.keep, kept)
	return ans
}

// showMessage sends reply to the activity's conversation.
func (h *Handler) showMessage(ctx context.Context, a *Activity) func(dialogs.Reply) answer {
	return func(r dialogs.Reply) answer {
		out := outgoing{reply: r, people: h.people(ctx, a, r), replyTo: a.ID}
		out.card = h.renderFor(a).Message(r, out.people)
		h.send(ctx, a, out)
		return ok()
	}
}

// renderFor is the renderer for a's conversation: in a personal chat the
// commands it shows are typed alone ("status"), elsewhere after an
// @mention ("@caisbot status").
func (h *Handler) renderFor(a *Activity) Renderer {
	rd := h.render
	if a.isPersonal() {
		rd.Command = ""
	}
	return rd
}

// showInvoke answers an invoke with reply as a message.
func (h *Handler) showInvoke(r dialogs.Reply) answer {
	return answer{status: http.StatusOK, body: invokeMessage(h.render.Summary(r, nil))}
}

func (h *Handler) firmOrZero(a *Activity) (f firm.ID) {
	f, _ = h.firm(a)
	return f
}
