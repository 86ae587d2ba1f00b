package slackbot

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/slack-go/slack"
)

const (
	formCallback = "cais_form"
	formBlock    = "agents"
	formInput    = "agents"
	// maxFormInput bounds what a user may type into a form.
	maxFormInput = adapter.MaxFormInput
)

// formMeta travels in the modal's private_metadata: the button's token
// and where to put the updated card afterwards.
type formMeta struct {
	Token       string `json:"t"`
	ResponseURL string `json:"r,omitempty"`
	Channel     string `json:"c,omitempty"`
}

func (h *Handler) interaction(ctx context.Context, ic *slack.InteractionCallback) answer {
	ctx, refused := h.workspace(ctx, Workspace{Team: ic.Team.ID, Enterprise: ic.Enterprise.ID})
	if refused != nil {
		return h.refuse(ctx, ic, *refused)
	}
	switch ic.Type {
	case slack.InteractionTypeBlockActions:
		return h.blockAction(ctx, ic)
	case slack.InteractionTypeViewSubmission:
		return h.viewSubmission(ctx, ic)
	}
	// Other interactions (view_closed, shortcuts) need nothing from us.
	return ok(nil)
}

func channelOf(ic *slack.InteractionCallback) string {
	if ic.Channel.ID != "" {
		return ic.Channel.ID
	}
	return ic.Container.ChannelID
}

func (h *Handler) blockAction(ctx context.Context, ic *slack.InteractionCallback) answer {
	if len(ic.ActionCallback.BlockActions) == 0 || !strings.HasPrefix(ic.ActionCallback.BlockActions[0].ActionID, actionPrefix) {
		return ok(nil)
	}
	a := ic.ActionCallback.BlockActions[0]
	if ic.View.Type == slack.VTHomeTab {
		return h.homeAction(ctx, ic, a.Value)
	}
	channel := channelOf(ic)
	f, err := h.firm(ic.Team.ID, channel)
	if err != nil || ic.User.ID == "" {
		return bad("interaction without team, channel or user")
	}
	ev := dialogs.Event{User: ic.User.ID, Name: ic.User.Name, Channel: channel}
	if t, err := dialogs.ParseToken(a.Value); err == nil && t.Kind == dialogs.KindConsole {
		ev.Channels = channelBook{h: h, team: ic.Team.ID} // the console names channels
	}
	reply, err := h.cfg.Service.Click(ctx, f, ev, a.Value)
	if err != nil {
		reply = h.failure(ctx, err, f)
	} else {
		adapter.Handled(ctx, h.log, "click handled", f, ic.User.ID, "click", reply)
	}
	if reply.Form != nil {
		h.openForm(ctx, ic, reply, channel)
		return ok(nil)
	}
	if reply.File != nil { // the console's CSV: to the clicker alone, never the channel
		h.sendToUser(ctx, ic.User.ID, ic.ResponseURL, reply)
	}
	h.deliver(ctx, f, ic.User.ID, ic.ResponseURL, channel, reply)
	return ok(nil)
}

// deliver updates the clicked card (or adds a reply) and posts the
// public line, after Slack has its acknowledgement.
func (h *Handler) deliver(ctx context.Context, f firm.ID, user, responseURL, channel string, reply dialogs.Reply) {
	if responseURL != "" {
		m := h.encode(reply, reply.Replace)
		h.background(ctx, "response_url", func(ctx context.Context) error {
			err := h.respond(ctx, responseURL, m)
			if err != nil && reply.Public != "" && channel != "" {
				h.cardNotUpdated(ctx, channel, user)
			}
			return err
		})
	}
	h.changed(ctx, f, channel, responseURL, reply)
}

// cardNotUpdated tells a user whose change was saved that their card is
// out of date, so nobody mistakes a stale card for a lost confirmation.
func (h *Handler) cardNotUpdated(ctx context.Context, channel, user string) {
	n := adapter.CardOutOfDate("Slack", "see the channel")
	if _, err := h.api(ctx).PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(h.render.Fallback(n), false), slack.MsgOptionBlocks(h.render.Blocks(n)...)); err != nil {
		h.logger(ctx).Error("chat.postEphemeral failed", "err", err)
	}
}

// openForm opens the modal at once: trigger_id expires after 3 seconds.
func (h *Handler) openForm(ctx context.Context, ic *slack.InteractionCallback, reply dialogs.Reply, channel string) {
	meta, _ := json.Marshal(formMeta{Token: reply.FormToken, ResponseURL: ic.ResponseURL, Channel: channel})
	f := reply.Form
	view := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      formCallback,
		PrivateMetadata: string(meta),
		Title:           slack.NewTextBlockObject(slack.PlainTextType, clip(f.Title, 24), false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, clip(f.Submit, 24), false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks:          slack.Blocks{BlockSet: formBlocks(f)},
	}
	if _, err := h.api(ctx).OpenViewContext(ctx, ic.TriggerID, view); err != nil {
		h.logger(ctx).Error("views.open failed", "err", err)
		n := dialogs.Notice("Could not open the form", "Slack did not open the form in time. Nothing was changed. Please click the button again.")
		h.deliver(ctx, firm.ID{}, ic.User.ID, ic.ResponseURL, "", n)
	}
}

// viewSubmission records a submitted form once: the same view submitted
// again with the same input is one delivery (a double click on Submit, a
// replayed request).
func (h *Handler) viewSubmission(ctx context.Context, ic *slack.InteractionCallback) answer {
	var meta formMeta
	if ic.View.CallbackID != formCallback || json.Unmarshal([]byte(ic.View.PrivateMetadata), &meta) != nil {
		return ok(nil)
	}
	input, values, tooLong := submitted(ic.View.State)
	if tooLong != "" {
		return formErrors(tooLong, adapter.FormTooLong)
	}
	f, err := h.firm(ic.Team.ID, meta.Channel)
	if err != nil || ic.User.ID == "" {
		return bad("submission without team, channel or user")
	}
	show := func(r dialogs.Reply) answer {
		return formErrors(firstBlock(ic.View.State), plain(r.Parts[0].Text, h.cfg.Command, 2000))
	}
	key := adapter.FormKey("slack", ic.View.ID, []any{ic.View.PrivateMetadata, input, values})
	return h.once(ctx, key, f, show, func() (answer, bool) {
		ev := dialogs.Event{User: ic.User.ID, Name: ic.User.Name, Channel: meta.Channel, Input: input, Values: values, Submitted: true}
		reply, err := h.cfg.Service.Click(ctx, f, ev, meta.Token)
		if err != nil {
			return show(h.failure(ctx, err, f)), adapter.Keeps(reply, err)
		}
		adapter.Handled(ctx, h.log, "click handled", f, ic.User.ID, "form", reply)
		if reply.FormError != "" {
			return replyErrors(reply), reply.Changed
		}
		h.deliver(ctx, f, ic.User.ID, meta.ResponseURL, meta.Channel, reply)
		return ok(nil), reply.Changed
	})
}

// formErrors shows msg under the input block named block.
func formErrors(block, msg string) answer {
	return ok(map[string]any{"response_action": "errors", "errors": map[string]string{block: msg}})
}

// firstBlock is an input block of the submitted view to show an error
// under that is about no field ("agents" for the one-input form).
func firstBlock(state *slack.ViewState) string {
	if state == nil {
		return formBlock
	}
	if _, ok := state.Values[formBlock]; ok {
		return formBlock
	}
	best := ""
	for b := range state.Values {
		if strings.HasPrefix(b, fieldBlockPrefix) && (best == "" || b < best) {
			best = b
		}
	}
	if best == "" {
		return formBlock
	}
	return best
}
