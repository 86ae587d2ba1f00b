package slackbot

import (
	"bytes"
	"context"
	"net/url"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/slack-go/slack"
)

func slashFromForm(f url.Values) slack.SlashCommand {
	return slack.SlashCommand{TeamID: f.Get("team_id"), EnterpriseID: f.Get("enterprise_id"), ChannelID: f.Get("channel_id"), UserID: f.Get("user_id"), UserName: f.Get("user_name"),
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
	cmd := dialogs.ParseCommand(sc.Text)
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
	reply, err := h.cfg.Service.Command(ctx, f, dialogs.Event{User: sc.UserID, Name: sc.UserName, Channel: sc.ChannelID}, cmd)
	keep = adapter.Keeps(reply, err)
	if err != nil {
		reply = h.failure(ctx, err, f)
	} else {
		adapter.Handled(ctx, h.log, "command handled", f, sc.UserID, cmd.Name, reply)
	}
	if reply.File != nil {
		h.upload(ctx, sc.ChannelID, sc.ResponseURL, reply)
	}
	h.changed(ctx, f, sc.ChannelID, sc.ResponseURL, reply)
	if cmd.Name == dialogs.CmdNext {
		return ok(h.card(reply)), keep
	}
	return ok(h.encode(reply, false)), keep
}

// upload sends a file to the channel after the command is answered; if it
// fails, the user is told through the response_url.
func (h *Handler) upload(ctx context.Context, channel, responseURL string, r dialogs.Reply) {
	f := r.File
	h.background(ctx, "files.upload", func(ctx context.Context) error {
		_, err := h.api(ctx).UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader(f.Content), FileSize: len(f.Content),
			Filename: f.Name, Title: plain(f.Title, h.cfg.Command, 250), Channel: channel,
		})
		if err != nil && responseURL != "" {
			n := dialogs.Notice("Export failed", "Slack did not accept the audit trail file. Is caisbot a member of this channel? Invite it, then try again.")
			_ = h.respond(ctx, responseURL, h.encode(n, false))
		}
		return err
	})
}
