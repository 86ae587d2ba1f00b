package slackbot

import (
	"context"
	"errors"
	"net/http"

	"github.com/caisbot/caisbot/announce"
	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/install"
	"github.com/slack-go/slack"
)

// AnnounceAPI is the part of the Web API that deadline reminders use
// (*slack.Client has it). Reading history needs the channels:history
// and groups:history scopes.
type AnnounceAPI interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
}

// ReminderEvent is the metadata event_type of reminder posts; the
// payload's "id" is the occurrence id.
const ReminderEvent = "caisbot_deadline_reminder"

// historyPage is how many messages one history call reads; historyPages
// bounds the search. A sender's lost post is minutes old, so it is among
// the newest messages of all but the busiest channels.
const (
	historyPage  = 100
	historyPages = 3
)

// Poster posts deadline reminders to Slack (it is an announce.Poster).
// It makes no retries of its own: the scheduler decides, because only it
// knows whether a post may already exist.
type Poster struct {
	api    AnnounceClients
	render Renderer
}

// AnnounceClients gives the client that posts to a firm of team: the one
// bot token, or the workspace's installation (Installed.Announcer).
type AnnounceClients func(ctx context.Context, team string) (AnnounceAPI, error)

var _ announce.Poster = (*Poster)(nil)

// NewPoster returns a poster; command is the slash command the posts
// name (default "/cais-next").
func NewPoster(api AnnounceAPI, command string) (*Poster, error) {
	if api == nil {
		return nil, errors.New("slackbot: NewPoster needs an API")
	}
	return NewPosterFor(func(context.Context, string) (AnnounceAPI, error) { return api, nil }, command)
}

// NewPosterFor returns a poster that posts to each firm with its own
// workspace's client.
func NewPosterFor(clients AnnounceClients, command string) (*Poster, error) {
	if clients == nil {
		return nil, errors.New("slackbot: NewPosterFor needs clients")
	}
	if command == "" {
		command = "/cais-next"
	}
	return &Poster{api: clients, render: Renderer{Command: command}}, nil
}

// client is the client for the firm of o; a workspace without an
// installation refuses the post for good (nothing was posted).
func (p *Poster) client(ctx context.Context, o ledger.Occurrence) (AnnounceAPI, error) {
	api, err := p.api(ctx, o.Firm.Workspace)
	if errors.Is(err, install.ErrNotInstalled) {
		return nil, &announce.Refused{Reason: "caisbot is not installed in the firm's Slack workspace"}
	}
	return api, err
}

// Post sends the reminder with its occurrence id in the message metadata.
func (p *Poster) Post(ctx context.Context, m announce.Message) (string, error) {
	o := m.Occurrence
	meta := slack.SlackMetadata{EventType: ReminderEvent, EventPayload: map[string]any{
		"id": m.ID, "firm": o.Firm.Key(), "deadline": o.Deadline, "day": o.Day, "lead": o.Lead,
	}}
	api, err := p.client(ctx, o)
	if err != nil {
		return "", err
	}
	_, ts, err := api.PostMessageContext(ctx, o.Channel,
		slack.MsgOptionText(p.render.Fallback(m.Reply), false),
		slack.MsgOptionBlocks(p.render.Blocks(m.Reply)...),
		slack.MsgOptionMetadata(meta))
	if err != nil {
		return "", announceError(err)
	}
	return ts, nil
}

// Find looks through the channel's newest messages for the reminder's id.
func (p *Poster) Find(ctx context.Context, m announce.Message) (string, bool, error) {
	api, err := p.client(ctx, m.Occurrence)
	if err != nil {
		return "", false, err
	}
	params := &slack.GetConversationHistoryParameters{ChannelID: m.Occurrence.Channel, Limit: historyPage, IncludeAllMetadata: true}
	for range historyPages {
		resp, err := api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", false, announceError(err)
		}
		for _, msg := range resp.Messages {
			if id, _ := msg.Metadata.EventPayload["id"].(string); msg.Metadata.EventType == ReminderEvent && id == m.ID {
				return msg.Timestamp, true, nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return "", false, nil
}

// goneReasons are the answers that end a subscription, in words for the
// audit trail.
var goneReasons = map[string]string{
	"not_in_channel":    "Slack answered not_in_channel: caisbot is no longer a member of the channel",
	"channel_not_found": "Slack answered channel_not_found: the channel was deleted, or caisbot cannot see it",
	"is_archived":       "Slack answered is_archived: the channel is archived",
}

// refusedCodes reject the post itself; sending it again cannot help.
var refusedCodes = map[string]bool{
	"invalid_blocks": true, "invalid_blocks_format": true, "msg_too_long": true, "no_text": true,
	"invalid_metadata_format": true, "invalid_metadata_schema": true, "metadata_too_large": true,
	"restricted_action": true, "too_many_attachments": true,
}

// announceError maps slack-go's errors onto the scheduler's. Anything
// not mapped (5xx, timeouts, auth trouble) is retried, after a look at
// history, since the post may have been made.
func announceError(err error) error {
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &rl):
		return &announce.RateLimited{After: rl.RetryAfter}
	case errors.As(err, &sc) && sc.Code == http.StatusTooManyRequests:
		return &announce.RateLimited{} // no usable Retry-After
	case errors.As(err, &se):
		if r, ok := goneReasons[se.Err]; ok {
			return &announce.Gone{Reason: r}
		}
		if se.Err == "ratelimited" {
			return &announce.RateLimited{}
		}
		if refusedCodes[se.Err] {
			return &announce.Refused{Reason: se.Err}
		}
	}
	return err
}
