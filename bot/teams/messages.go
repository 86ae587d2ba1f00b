package teams

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
)

// message handles typed text: a command in a personal chat, or an
// @mention in a channel or group chat. One that may change the record
// runs once per activity.
func (h *Handler) message(ctx context.Context, a *Activity) answer {
	f, err := h.firm(a)
	if err != nil || a.userID() == "" {
		return answer{status: http.StatusBadRequest}
	}
	cmd := dialogs.ParseCommand(a.commandText(h.cfg.BotName))
	if n := h.consoleGuard(a, cmd); n != nil {
		return h.showMessage(ctx, a)(*n)
	}
	run := func() answer {
		ev := dialogs.Event{User: a.userID(), Name: a.userName(), Channel: a.channel(), Names: h.names(a), Place: a.place(f.Channel != ""), RolesByOperator: true}
		reply, err := h.cfg.Service.Command(ctx, f, ev, cmd)
		keep := adapter.Keeps(reply, err)
		if err != nil {
			reply = h.failure(ctx, err, f)
		} else {
			adapter.Handled(ctx, h.log, "command handled", f, a.userID(), cmd.Name, reply)
		}
		ans := h.showMessage(ctx, a)(fileWords(reply))
		ans.keep = keep
		return ans
	}
	if cmd.ReadOnly() {
		return run()
	}
	return h.once(ctx, a, h.showMessage(ctx, a), run)
}

// cardData reads an Action.Submit's value: the data the bot put on the
// button, merged with the card's inputs. Only the bot's own buttons,
// which carry a token, count.
func cardData(raw json.RawMessage) (map[string]string, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	var fields map[string]any
	if json.Unmarshal(raw, &fields) != nil {
		return nil, false
	}
	out := map[string]string{}
	for k, v := range fields {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	_, ok := out[dataToken]
	return out, ok
}

// submit handles a click on a card (Action.Submit): the card it came from
// is replyToId, and is updated in place.
func (h *Handler) submit(ctx context.Context, a *Activity, data map[string]string) answer {
	out, valid := h.click(ctx, a, data)
	if !valid {
		return answer{status: http.StatusBadRequest}
	}
	h.send(ctx, a, out)
	return answer{status: http.StatusOK, keep: out.keep}
}

// click runs a card action through dialogs and renders the result.
func (h *Handler) click(ctx context.Context, a *Activity, data map[string]string) (outgoing, bool) {
	f, err := h.firm(a)
	if err != nil || a.userID() == "" {
		return outgoing{}, false
	}
	ev := dialogs.Event{User: a.userID(), Name: a.userName(), Channel: a.channel(), RolesByOperator: true}
	input, isForm := data[inputID], data[dataForm] != ""
	reply, err := h.cfg.Service.Click(ctx, f, ev, clickToken(data, &ev))
	keep := adapter.Keeps(reply, err)
	if err != nil {
		reply = h.failure(ctx, err, f)
	} else {
		adapter.Handled(ctx, h.log, "card action handled", f, ev.User, "click", reply)
	}
	if _, fits := fieldValues(data); isForm && (len(input) > maxFormInput || !fits) && reply.Form != nil {
		reply.FormError = adapter.FormTooLong
	}
	reply = fileWords(reply)
	out := outgoing{reply: reply, people: h.people(ctx, a, reply), replyTo: a.ReplyToID, keep: keep}
	// The form and its answer take the clicked card's place, as the next
	// step does; a cancelled form shows the step again where it was.
	out.update = reply.Replace || reply.Form != nil || isForm
	if reply.Form != nil {
		rd := h.renderFor(a)
		out.card = rd.activity(rd.Form(reply, out.people, input), rd.Summary(reply, out.people))
	} else {
		out.card = h.renderFor(a).Message(reply, out.people)
	}
	return out, true
}

// clickToken is the dialogs token a card action stands for, and fills in
// a form's input. An over-long input is not submitted: the form comes
// back with the problem named.
func clickToken(data map[string]string, ev *dialogs.Event) string {
	token, input := data[dataToken], data[inputID]
	switch {
	case data[dataForm] != "" && data[dataCancel] != "":
		// A cancelled form turns back into the current step's card.
		return dialogs.Token{Kind: dialogs.KindOpen}.String()
	case data[dataCancel] != "":
		// Cancelling a confirmation is a Cancel click at the same version
		// (and step: a step's answer cancelled shows its card again).
		if t, err := dialogs.ParseToken(token); err == nil {
			return dialogs.Token{Kind: dialogs.KindCancel, Step: t.Step, Version: t.Version}.String()
		}
	case data[dataForm] != "" && len(input) <= maxFormInput:
		values, fits := fieldValues(data)
		if fits {
			ev.Input, ev.Values, ev.Submitted = input, values, true
		}
	}
	return token
}

// invoke answers Action.Execute (Universal Actions): the updated card is
// the invoke's response, which Teams puts in place of the clicked card.
// A file-consent card's answer is an invoke too (consent.go).
func (h *Handler) invoke(ctx context.Context, a *Activity) answer {
	if a.Name == invokeFileConsent {
		return h.fileConsent(ctx, a)
	}
	if a.Name != "adaptiveCard/action" {
		return ok()
	}
	var v struct {
		Action struct {
			Data json.RawMessage `json:"data"`
		} `json:"action"`
	}
	_ = json.Unmarshal(a.Value, &v)
	data, isCard := cardData(v.Action.Data)
	if !isCard {
		return answer{status: http.StatusOK, body: invokeMessage("That button is not one of mine.")}
	}
	out, valid := h.click(ctx, a, data)
	if !valid {
		return answer{status: http.StatusBadRequest}
	}
	if !out.update {
		h.send(ctx, a, out)
		return answer{status: http.StatusOK, body: invokeMessage(h.render.Summary(out.reply, out.people)), keep: out.keep}
	}
	// The card goes back in the response; only the public line is sent.
	card := out.card.Attachments[0].Content
	out.card = nil
	h.send(ctx, a, out)
	return answer{status: http.StatusOK, body: map[string]any{"statusCode": 200, "type": CardContentType, "value": card}, keep: out.keep}
}

func invokeMessage(s string) map[string]any {
	return map[string]any{"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": s}
}
