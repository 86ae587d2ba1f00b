package teams

import (
	"context"
	"errors"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
)

// outgoing is what one activity sends back.
type outgoing struct {
	reply  dialogs.Reply
	people People
	// card is the reply as a message; nil when it travels otherwise (an
	// invoke response).
	card *Activity
	// replyTo is the activity answered: the typed message, or the card
	// clicked. With update, the card is replaced in place instead.
	replyTo string
	update  bool
	// keep says the activity's delivery must stay claimed (adapter.Keeps).
	keep bool
}

// send delivers a reply after the HTTP response, in order: the card, the
// exported file, then the public line.
func (h *Handler) send(ctx context.Context, a *Activity, out outgoing) {
	to := address{serviceURL: a.ServiceURL, conversation: a.conversationID(), bot: a.Recipient, user: a.From}
	var public *Activity
	if out.reply.Public != "" {
		public = h.render.Public(out.reply, out.people)
	}
	var files []*Activity
	var packet *dialogs.File // offered through the personal chat instead
	switch f := out.reply.File; {
	case f != nil && f.Kind == dialogs.FilePacket:
		packet = f
	case f != nil:
		files = h.render.File(f)
	}
	h.background(ctx, "send", func(ctx context.Context) error {
		var errs []error
		if out.card != nil {
			errs = append(errs, h.deliverCard(ctx, to, out))
		}
		if packet != nil {
			errs = append(errs, h.offerPacket(ctx, a, packet))
		}
		for _, f := range files {
			_, err := h.conn.Send(ctx, to.serviceURL, to.conversation, to.stamp(f))
			errs = append(errs, err)
		}
		if public != nil {
			_, err := h.conn.Send(ctx, to.serviceURL, to.conversation, to.stamp(public))
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}

// address is where replies to an activity go.
type address struct {
	serviceURL, conversation string
	bot, user                *Account
}

// stamp addresses an outgoing activity as the Bot Framework SDKs do.
func (to address) stamp(a *Activity) *Activity {
	a.From, a.Recipient, a.Conversation = to.bot, to.user, &Conversation{ID: to.conversation}
	return a
}

// deliverCard replaces the clicked card, or replies with a new one.
func (h *Handler) deliverCard(ctx context.Context, to address, out outgoing) error {
	card := to.stamp(out.card)
	switch {
	case out.update && out.replyTo != "":
		err := h.conn.Update(ctx, to.serviceURL, to.conversation, out.replyTo, card)
		if err != nil && out.reply.Public != "" {
			h.cardNotUpdated(ctx, to, out.replyTo)
		}
		return err
	case out.replyTo != "":
		_, err := h.conn.Reply(ctx, to.serviceURL, to.conversation, out.replyTo, card)
		return err
	}
	_, err := h.conn.Send(ctx, to.serviceURL, to.conversation, card)
	return err
}

// cardNotUpdated tells the clicker whose change was saved that the card
// is out of date, so nobody mistakes a stale card for a lost answer.
func (h *Handler) cardNotUpdated(ctx context.Context, to address, card string) {
	n := adapter.CardOutOfDate("Teams", "see the message below")
	if _, err := h.conn.Reply(ctx, to.serviceURL, to.conversation, card, to.stamp(h.render.Message(n, nil))); err != nil {
		h.logger(ctx).Error("cannot tell the user their card is out of date", "err", err)
	}
}
