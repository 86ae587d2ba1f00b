package slackbot

import (
	"bytes"
	"context"
	"net/http"
	"net/url"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/slack-go/slack"
)

// command answers a slash command in the HTTP response body, within
// Slack's 3 seconds.
func (h *Handler) command(ctx context.Context, w http.ResponseWriter, form url.Values) {
	team, channel, user := form.Get("team_id"), form.Get("channel_id"), form.Get("user_id")
	firm, err := h.firm(team, channel)
	if err != nil || user == "" {
		http.Error(w, "slash command without team, channel or user", http.StatusBadRequest)
		return
	}
	cmd := dialogs.ParseCommand(form.Get("text"))
	log := h.log.With("firm", firm, "user", user, "command", cmd.Name)
	reply, err := h.cfg.Service.Command(ctx, firm, dialogs.Event{User: user, Channel: channel}, cmd)
	if err != nil {
		reply = h.failure(err, firm)
	} else {
		log.Info("command handled")
	}
	if reply.File != nil {
		h.upload(channel, form.Get("response_url"), reply)
	}
	h.publish(channel, reply)
	writeJSON(w, h.message(reply))
}

// upload sends a file to the channel after the command is answered; if it
// fails, the user is told through the response_url.
func (h *Handler) upload(channel, responseURL string, r dialogs.Reply) {
	f := r.File
	h.background("files.upload", func(ctx context.Context) error {
		_, err := h.cfg.API.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader(f.Content), FileSize: len(f.Content),
			Filename: f.Name, Title: plain(f.Title, h.cfg.Command, 250), Channel: channel,
		})
		if err != nil && responseURL != "" {
			n := dialogs.Notice("Export failed", "Slack did not accept the audit trail file. Is caisbot a member of this channel? Invite it, then try again.")
			_ = h.respond(ctx, responseURL, h.message(n))
		}
		return err
	})
}
