package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/caisbot/caisbot/announce"
)

// Poster posts deadline reminders to Teams conversations as proactive
// messages (it is an announce.Poster), through the conversation
// reference saved when the bot was added or last addressed there.
// Each post's card carries its occurrence id, so Find can recognise it
// in the conversation's history through Microsoft Graph.
type Poster struct {
	store  Directory
	conn   *Connector
	render Renderer
	graph  *graph // nil in local mode: no credentials to read history with
	groups *teamGroups
	appID  string
	log    *slog.Logger
	count  func(event string)
	// patience is how long a lookup may keep failing for passing causes
	// (Graph 5xx, 429, timeouts) before the reminder is posted unchecked.
	patience time.Duration

	// settle is how long after a post of unknown outcome its absence
	// from Graph is not trusted: Graph may show a message a little after
	// the connector took it, or the connector may finish a post it timed
	// out on.
	settle time.Duration

	notes     notes
	mu        sync.Mutex
	failing   map[string]time.Time // occurrence id → first failed lookup
	uncertain map[string]time.Time // occurrence id → post of unknown outcome
}

var _ announce.Poster = (*Poster)(nil)

// Poster returns a reminder poster sharing the handler's connector and
// credentials.
func (h *Handler) Poster() *Poster {
	return &Poster{store: h.cfg.Store, conn: h.conn, render: h.render, graph: h.graph, groups: &h.groups,
		appID: h.cfg.AppID, log: h.log, count: h.cfg.Announced, patience: lookupPatience, settle: graphSettle,
		failing: map[string]time.Time{}, uncertain: map[string]time.Time{}}
}

// Post sends the reminder as a new post in its conversation (in a
// channel, a new thread) and returns the activity id.
func (p *Poster) Post(ctx context.Context, m announce.Message) (string, error) {
	ref, found, err := p.ref(ctx, m)
	if err != nil {
		return "", err // nothing was posted; the scheduler retries
	}
	if !found || ref.ServiceURL == "" {
		return "", &announce.Gone{Reason: "caisbot has no record of this Teams conversation: it was removed from it"}
	}
	a := p.render.Reminder(m.Reply, m.ID)
	a.Conversation = &Conversation{ID: ref.Conversation}
	if ref.Bot != "" {
		a.From = &Account{ID: ref.Bot}
	}
	id, err := p.conn.Send(ctx, ref.ServiceURL, ref.Conversation, a)
	if err != nil {
		err = announceError(err)
		if !announce.Definite(err) {
			p.postedMaybe(m.ID)
		}
		return "", err
	}
	return id, nil
}

// ref reads the conversation's saved reference; found is false for one
// never saved (or forgotten, or unreadable).
func (p *Poster) ref(ctx context.Context, m announce.Message) (ConversationRef, bool, error) {
	raw, found, err := p.store.Conversation(ctx, m.Occurrence.Channel)
	if err != nil || !found {
		return ConversationRef{}, false, err
	}
	var ref ConversationRef
	if json.Unmarshal([]byte(raw), &ref) != nil {
		return ConversationRef{}, false, nil
	}
	return p.groups.fill(ref), true, nil
}

// goneCodes are the connector's answers that end a subscription.
var goneCodes = map[string]string{
	"BotNotInConversationRoster": "Teams answered BotNotInConversationRoster: caisbot is no longer in the conversation",
	"ConversationBlockedByUser":  "Teams answered ConversationBlockedByUser: the user blocked caisbot",
	"ConversationNotFound":       "Teams answered ConversationNotFound: the conversation was deleted",
}

// announceError maps connector errors onto the scheduler's. Anything not
// mapped (5xx, timeouts, token trouble) is retried.
func announceError(err error) error {
	var ce *ConnectorError
	if !errors.As(err, &ce) {
		return err
	}
	if r, ok := goneCodes[ce.Code]; ok {
		return &announce.Gone{Reason: r}
	}
	switch ce.Status {
	case http.StatusTooManyRequests:
		return &announce.RateLimited{After: ce.RetryAfter}
	case http.StatusNotFound:
		return &announce.Gone{Reason: "Teams answered 404: the conversation no longer exists"}
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return &announce.Refused{Reason: fmt.Sprintf("Teams answered %d %s", ce.Status, ce.Code)}
	}
	return err
}
