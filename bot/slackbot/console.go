package slackbot

import (
	"context"
	"fmt"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/cache"
	"github.com/slack-go/slack"
)

// The bureau console on Slack: channel names and memberships come from
// users.conversations (scopes channels:read, groups:read); the CSV goes
// to the admin's direct message with the bot (conversations.open, scope
// im:write), never to the channel where `firms` was typed, which in
// channel scope may be shared with the client firm.

const (
	// channelsFor is how long a workspace's channel names are kept.
	channelsFor = 5 * time.Minute
	// channelWait bounds the lookups made while Slack waits for an
	// answer; past it the console shows channel ids.
	channelWait = time.Second
	// maxChannelPages bounds one lookup (1,000 channels a page).
	maxChannelPages = 5
	maxTeamsKept    = 1024
)

var channelsLimit = cache.Limit{Max: maxTeamsKept}

type channelNames struct {
	names map[string]string
	until time.Time
}

// channelBook is dialogs.ChannelBook for one team: the names of the
// channels the bot is in.
type channelBook struct {
	h    *Handler
	team string
}

// ChannelNames lists the bot's channels, from the cache when fresh; on a
// failure it answers nil (the console then shows channel ids).
func (b channelBook) ChannelNames(ctx context.Context) map[string]string {
	if c, ok := b.h.channelNames.Get(b.team); ok && time.Now().Before(c.until) {
		return c.names
	}
	names, err := b.h.conversations(ctx, "")
	if err != nil {
		b.h.logger(ctx).Warn("cannot list channel names for the console", "team", b.team, "err", err)
		return nil
	}
	b.h.channelNames.Put(b.team, channelNames{names: names, until: time.Now().Add(channelsFor)}, channelsLimit)
	return names
}

// conversations lists the public and private channels user is in (""
// for the bot) by id and name, within channelWait.
func (h *Handler) conversations(ctx context.Context, user string) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, channelWait)
	defer cancel()
	out := map[string]string{}
	cursor := ""
	for range maxChannelPages {
		chans, next, err := h.api(ctx).GetConversationsForUserContext(ctx, &slack.GetConversationsForUserParameters{
			UserID: user, Cursor: cursor, Types: []string{"public_channel", "private_channel"}, Limit: 1000, ExcludeArchived: true})
		if err != nil {
			return nil, err
		}
		for _, c := range chans {
			out[c.ID] = c.Name
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	return out, nil
}

// memberOf is dialogs.ChannelsOf: the channels user is in.
func (h *Handler) memberOf(ctx context.Context, user string) (map[string]bool, error) {
	names, err := h.conversations(ctx, user)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(names))
	for id := range names {
		out[id] = true
	}
	return out, nil
}

// firmsCommand prepares `firms`: only in channel scope, with the
// workspace's channel names.
func (h *Handler) firmsCommand(ev *dialogs.Event, team string) *dialogs.Reply {
	if h.cfg.Scope != firm.ChannelScope {
		n := dialogs.Notice("One firm in this workspace", "This workspace runs one roadmap for the whole workspace, so there is no list of firms. Type `{cmd} status` to see where it stands.")
		return &n
	}
	ev.Channels = channelBook{h: h, team: team}
	return nil
}

// sendToUser sends a file for one person (the console's CSV, the roles
// log) to user's direct message with the
// bot, after the command is answered; if it fails, the user is told
// through the response_url. It never posts to the channel.
func (h *Handler) sendToUser(ctx context.Context, user, responseURL string, r dialogs.Reply) {
	f := r.File
	h.background(ctx, "files.upload", func(ctx context.Context) error {
		ch, _, _, err := h.api(ctx).OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		if err == nil && (ch == nil || ch.ID == "") {
			err = errNoDM
		}
		if err == nil {
			err = h.uploadOnce(ctx, ch.ID, f)
		}
		if err != nil && responseURL != "" {
			n := dialogs.Notice("The CSV was not sent", "Slack did not take the file for your direct messages with caisbot, so nothing was shared. Try again in a minute; if it keeps failing, ask whoever runs caisbot to re-authorize the app (it needs the im:write permission).")
			_ = h.respond(ctx, responseURL, h.encode(n, false))
		}
		return err
	})
}

var errNoDM = slackError("conversations.open named no channel")

type slackError string

func (e slackError) Error() string { return string(e) }

// consoleHome publishes the Home tab of channel scope: the console for
// an admin, their channels' firms for anyone else. It runs after Slack
// has its answer; a newer opening by the same user supersedes it.
func (h *Handler) consoleHome(ctx context.Context, team, user string) {
	h.bg.Latest(ctx, "slack call", "views.publish", "console-home:"+team+":"+user, func(ctx context.Context) error {
		w := firm.Workspace{Platform: firm.Slack, ID: team}
		r, err := h.cfg.Service.ConsoleHome(ctx, w, user, channelBook{h: h, team: team}, h.memberOf)
		if err != nil {
			r = h.failure(ctx, err, firm.ID{Platform: firm.Slack, Workspace: team})
		}
		h.publishHome(ctx, user, h.homeBlocks([]dialogs.Reply{r}))
		return nil
	})
}

// consoleHomeAction answers a firm's button on the channel-scope Home
// tab: the firm's next-step card, shown to the clicker alone in the
// firm's channel, where its buttons act on that firm. Slack refuses an
// ephemeral message to someone not in the channel, so a forged button
// shows nothing.
func (h *Handler) consoleHomeAction(ctx context.Context, ic *slack.InteractionCallback, value string) answer {
	t, err := dialogs.ParseToken(value)
	if err != nil || t.Kind != dialogs.KindFirm || ic.User.ID == "" {
		return ok(nil)
	}
	f, err := h.firm(ic.Team.ID, t.Choice)
	if err != nil {
		return ok(nil)
	}
	reply, err := h.cfg.Service.Click(ctx, f, dialogs.Event{User: ic.User.ID, Name: ic.User.Name, Channel: t.Choice}, value)
	if err != nil {
		reply = h.failure(ctx, err, f)
	}
	blocks, text := h.render.Blocks(reply), h.render.Fallback(reply)
	h.background(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := h.api(ctx).PostEphemeralContext(ctx, t.Choice, ic.User.ID, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
		if err != nil {
			h.cardNotShown(ctx, ic.User.ID, t.Choice, err)
		}
		return err
	})
	return ok(nil)
}

// cardNotShown tells a user whose Home tab button could not show a
// firm's card in its channel (caisbot was removed from it, the channel
// was archived) why nothing appeared, by direct message: the card itself
// is not sent there, since its buttons act on the channel they are in.
func (h *Handler) cardNotShown(ctx context.Context, user, channel string, cause error) {
	advice := "Try again in a minute."
	switch cause.Error() {
	case "channel_not_found", "not_in_channel", "is_archived":
		advice = fmt.Sprintf("If caisbot is no longer in that channel, invite it back there (`/invite @caisbot`) and type `%s` in it.", h.cfg.Command)
	}
	msg := fmt.Sprintf("caisbot could not show that firm's card in <#%s> (Slack answered: %s). Nothing was changed. %s", channel, cause.Error(), advice)
	if _, _, err := h.api(ctx).PostMessageContext(ctx, user, slack.MsgOptionText(msg, false)); err != nil {
		h.logger(ctx).Error("chat.postMessage failed", "call", "card not shown", "err", err)
	}
}
