package slackbot

import (
	"context"
	"net/url"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/slack-go/slack"
)

func slashFromForm(f url.Values) slack.SlashCommand {
	return slack.SlashCommand{TeamID: f.Get("team_id"), TeamDomain: f.Get("team_domain"), EnterpriseID: f.Get("enterprise_id"),
		ChannelID: f.Get("channel_id"), ChannelName: f.Get("channel_name"), UserID: f.Get("user_id"), UserName: f.Get("user_name"),
		Command: f.Get("command"), Text: f.Get("text"), ResponseURL: f.Get("response_url"), TriggerID: f.Get("trigger_id")}
}

// command answers a slash command in the response itself, within Slack's
// 3 seconds. One that may change the record runs once per delivery.
func (h *Handler) command(ctx context.Context, sc slack.SlashCommand) answer {
	f, err := h.firm(sc.TeamID, sc.ChannelID)
	if err != nil || sc.UserID == "" {
		return bad("slash command without team, channel or user")
	}
	ctx, refused := h.workspace(ctx, Workspace{Team: sc.TeamID, Enterprise: sc.EnterpriseID})
	if refused != nil {
		return ok(h.encode(*refused, false))
	}
	cmd := withTarget(dialogs.ParseCommand(sc.Text), sc.Text)
	if cmd.ReadOnly() {
		a, _ := h.runCommand(ctx, f, sc, cmd)
		return a
	}
	show := func(r dialogs.Reply) answer { return ok(h.encode(r, false)) }
	return h.once(ctx, adapter.DeliveryOf(ctx), f, show, func() (answer, bool) { return h.runCommand(ctx, f, sc, cmd) })
}

// runCommand runs a parsed command; keep says whether its delivery must
// stay claimed (adapter.Keeps).
func (h *Handler) runCommand(ctx context.Context, f firm.ID, sc slack.SlashCommand, cmd dialogs.Command) (a answer, keep bool) {
	ev := dialogs.Event{User: sc.UserID, Name: sc.UserName, Channel: sc.ChannelID, Names: h.names, Place: place(f, sc)}
	if cmd.Name == dialogs.CmdFirms {
		if n := h.firmsCommand(&ev, sc.TeamID); n != nil {
			return ok(h.encode(*n, false)), false
		}
	}
	reply, err := h.cfg.Service.Command(ctx, f, ev, cmd)
	keep = adapter.Keeps(reply, err)
	if err != nil {
		reply = h.failure(ctx, err, f)
	} else {
		adapter.Handled(ctx, h.log, "command handled", f, sc.UserID, cmd.Name, reply)
	}
	switch {
	case reply.File != nil && (cmd.Name == dialogs.CmdFirms || cmd.Name == dialogs.CmdAdmins || cmd.Name == dialogs.CmdPrincipals):
		h.sendToUser(ctx, sc.UserID, sc.ResponseURL, reply) // never the channel
	case reply.File != nil:
		h.upload(ctx, sc.ChannelID, sc.ResponseURL, reply)
	}
	h.changed(ctx, f, sc.ChannelID, sc.ResponseURL, reply)
	if cmd.Name == dialogs.CmdNext {
		return ok(h.card(reply)), keep
	}
	return ok(h.encode(reply, false)), keep
}

// place names the firm's workspace (and channel, when each channel is a
// firm) as the slash command shows them, for file names.
func place(f firm.ID, sc slack.SlashCommand) string {
	if f.Channel != "" && sc.ChannelName != "" {
		return sc.TeamDomain + " " + sc.ChannelName
	}
	return sc.TeamDomain
}
