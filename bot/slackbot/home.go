package slackbot

import (
	"context"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/slack-go/slack"
)

// Viewers remembers, per firm, the users whose Home tab shows it.
type Viewers interface {
	AddViewer(ctx context.Context, f firm.ID, user string) error
	Viewers(ctx context.Context, f firm.ID) ([]string, error)
}

// unwatched is Viewers that can tell at once that a firm's latest change
// found nobody to refresh (store.Redis): most firms, whose clicks then
// schedule no refresh at all.
type unwatched interface {
	Unwatched(f firm.ID) bool
}

// maxHomeRefresh bounds the views.publish calls one change causes.
const maxHomeRefresh = 50

// homeOpened publishes the user's Home tab.
func (h *Handler) homeOpened(ctx context.Context, team, user string) {
	if h.cfg.Scope == firm.ChannelScope {
		h.consoleHome(ctx, team, user)
		return
	}
	f, err := h.firm(team, "")
	if err != nil {
		h.logger(ctx).Warn("home opened in no team", "err", err)
		return
	}
	// The viewer is remembered before the progress is read: a change
	// committed in between then either sees the viewer (and refreshes
	// this Home) or is already in what is read.
	if h.cfg.Viewers != nil {
		if err := h.cfg.Viewers.AddViewer(ctx, f, user); err != nil {
			h.logger(ctx).Warn("cannot remember home viewer", "err", err)
		}
	}
	p, err := h.cfg.Service.Progress(ctx, f)
	if err != nil {
		h.publishHome(ctx, user, h.homeBlocks([]dialogs.Reply{h.failure(ctx, err, f)}))
		return
	}
	h.publishHome(ctx, user, h.home(p))
}

// home shows the firm's progress, deadlines and a way to the next step.
func (h *Handler) home(p dialogs.Progress) []slack.Block {
	f, now := h.cfg.Service.Flow, h.cfg.Service.Now()
	return h.homeBlocks([]dialogs.Reply{f.Status(p, now), f.DeadlinesReply(p, now)})
}

// homeBlocks stacks replies within the Home tab's 100-block limit.
func (h *Handler) homeBlocks(replies []dialogs.Reply) []slack.Block {
	var out []slack.Block
	for i, r := range replies {
		if i > 0 {
			out = append(out, slack.NewDividerBlock())
		}
		out = append(out, h.render.blocks(r, maxViewBlocks-len(out))...)
	}
	return out
}

func (h *Handler) publishHome(ctx context.Context, user string, blocks []slack.Block) {
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
	if _, err := h.api(ctx).PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view}); err != nil {
		h.logger(ctx).Error("views.publish failed", "user", user, "err", err)
	}
}

// homeAction answers a Home button: the next-step card arrives as a
// direct message, where it works like any other card.
func (h *Handler) homeAction(ctx context.Context, ic *slack.InteractionCallback, value string) answer {
	if h.cfg.Scope == firm.ChannelScope {
		return h.consoleHomeAction(ctx, ic, value)
	}
	f, err := h.firm(ic.Team.ID, "")
	if ic.User.ID == "" || err != nil {
		return ok(nil)
	}
	reply, err := h.cfg.Service.Click(ctx, f, dialogs.Event{User: ic.User.ID, Name: ic.User.Name}, value)
	if err != nil {
		reply = h.failure(ctx, err, f)
	}
	blocks, text := h.render.Blocks(reply), h.render.Fallback(reply)
	h.background(ctx, "chat.postMessage", func(ctx context.Context) error {
		_, _, err := h.api(ctx).PostMessageContext(ctx, ic.User.ID, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
		return err
	})
	return ok(nil)
}

// refreshHomes republishes the Home tab of the firm's viewers.
func (h *Handler) refreshHomes(ctx context.Context, f firm.ID) {
	if h.cfg.Viewers == nil || h.cfg.Scope == firm.ChannelScope {
		return
	}
	if u, ok := h.cfg.Viewers.(unwatched); ok && u.Unwatched(f) {
		return
	}
	// A refresh reads the progress when it runs, so one still waiting
	// for Slack makes an older waiting one pointless.
	h.bg.Latest(ctx, "slack call", "views.publish", "homes:"+f.String(), func(ctx context.Context) error {
		users, err := h.cfg.Viewers.Viewers(ctx, f)
		if err != nil || len(users) == 0 {
			return err
		}
		p, err := h.cfg.Service.Progress(ctx, f)
		if err != nil {
			return err
		}
		blocks := h.home(p)
		for i, u := range users {
			if i == maxHomeRefresh {
				break
			}
			h.publishHome(ctx, u, blocks)
		}
		return nil
	})
}
