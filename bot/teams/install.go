package teams

import (
	"context"
	"slices"

	"github.com/caisbot/caisbot/dialogs"
)

// installed follows the bot being added to or removed from a chat or
// team. The reference itself was saved by remember, as for every
// activity; removal forgets it, so reminders stop there cleanly.
func (h *Handler) installed(ctx context.Context, a *Activity) {
	isBot := func(m Account) bool { return a.Recipient != nil && m.ID == a.Recipient.ID }
	switch {
	case a.Type == typeInstallation && (a.Action == "remove" || a.Action == "remove-upgrade"),
		a.Type == typeConvUpdate && slices.ContainsFunc(a.MembersRemoved, isBot):
		h.forget(ctx, a.channel())
	case a.Type == typeConvUpdate && slices.ContainsFunc(a.MembersAdded, isBot):
		// Teams sends both conversationUpdate and installationUpdate on
		// install; the welcome goes with the first only.
		h.welcome(ctx, a)
	}
}

func (h *Handler) forget(ctx context.Context, id string) {
	h.cache.forget("c\x00" + id)
	if err := h.cfg.Store.ForgetConversation(ctx, id); err != nil {
		h.logger(ctx).Warn("cannot forget the conversation", "err", err)
		return
	}
	h.logger(ctx).Info("caisbot was removed from a conversation", "conversation", id)
}

// welcome introduces the bot where it was added: what it does and the
// commands, as "help" would.
func (h *Handler) welcome(ctx context.Context, a *Activity) {
	h.logger(ctx).Info("caisbot was added to a conversation", "conversation", a.channel(), "type", refOf(a).Type)
	r := h.cfg.Service.Flow.HelpFor(dialogs.Event{RolesByOperator: true}, "")
	h.send(ctx, a, outgoing{reply: r, card: h.renderFor(a).Message(r, nil)})
}
