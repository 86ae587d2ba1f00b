package teams

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// conversationParams is the connector's ConversationParameters for a
// one-to-one chat between the bot and one user.
type conversationParams struct {
	IsGroup     bool         `json:"isGroup"`
	Bot         Account      `json:"bot"`
	Members     []Account    `json:"members"`
	TenantID    string       `json:"tenantId,omitempty"`
	ChannelData *ChannelData `json:"channelData,omitempty"`
}

// CreateConversation opens (or, as Teams does for a 1:1 chat that
// exists, finds) the personal chat between bot and user and returns its
// conversation id. Teams refuses it (403) unless the user has the app
// installed in personal scope.
func (c *Connector) CreateConversation(ctx context.Context, serviceURL, tenant string, bot, user Account) (string, error) {
	p := conversationParams{Bot: Account{ID: bot.ID}, Members: []Account{{ID: user.ID}}, TenantID: tenant}
	if tenant != "" {
		p.ChannelData = &ChannelData{Tenant: &idName{ID: tenant}}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.request(ctx, http.MethodPost, strings.TrimRight(serviceURL, "/")+"/v3/conversations", body, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", errors.New("the connector created a conversation without an id")
	}
	return out.ID, nil
}

// personalChat is where files go to the user who sent a: this chat if it
// is their personal chat with the bot, else that chat, opened through
// the connector.
func (h *Handler) personalChat(ctx context.Context, a *Activity) (address, error) {
	to := address{serviceURL: a.ServiceURL, conversation: a.conversationID(), bot: a.Recipient, user: a.From}
	if a.isPersonal() {
		return to, nil
	}
	if a.Recipient == nil || a.From == nil || a.From.ID == "" {
		return address{}, errors.New("the activity names no bot or user")
	}
	id, err := h.conn.CreateConversation(ctx, a.ServiceURL, a.tenant(), *a.Recipient, *a.From)
	if err != nil {
		return address{}, err
	}
	to.conversation = id
	return to, nil
}

// isPersonal says the activity came from a personal chat.
func (a *Activity) isPersonal() bool {
	return a.Conversation != nil && a.Conversation.ConversationType == "personal"
}
