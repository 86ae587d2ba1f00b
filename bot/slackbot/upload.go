package slackbot

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/slack-go/slack"
)

// Upload bounds. uploadWait is what the three calls of one upload
// (files.getUploadURLExternal, the bytes, files.completeUploadExternal)
// may take together, well inside the background task's 15 s so the user
// can still be told; a 429 is waited out once when Slack asks for at
// most maxUploadPause.
const (
	uploadWait     = 10 * time.Second
	maxUploadPause = 3 * time.Second
)

// upload sends a file to the channel after the command is answered,
// bytes as they are (a zip stays a zip). If it fails, the user is told
// through the response_url, in words that fit the file.
func (h *Handler) upload(ctx context.Context, channel, responseURL string, r dialogs.Reply) {
	f := r.File
	h.background(ctx, "files.upload", func(ctx context.Context) error {
		err := h.uploadOnce(ctx, channel, f)
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) && rl.RetryAfter <= maxUploadPause {
			select {
			case <-ctx.Done():
			case <-time.After(rl.RetryAfter):
				err = h.uploadOnce(ctx, channel, f)
			}
		}
		if err != nil && responseURL != "" {
			_ = h.respond(ctx, responseURL, h.encode(uploadFailed(f.Kind, err), false))
		}
		return err
	})
}

func (h *Handler) uploadOnce(ctx context.Context, channel string, f *dialogs.File) error {
	ctx, cancel := context.WithTimeout(ctx, h.uploadWait)
	defer cancel()
	_, err := h.api(ctx).UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(f.Content), FileSize: len(f.Content),
		Filename: f.Name, Title: plain(f.Title, h.cfg.Command, 250), Channel: channel,
	})
	return err
}

// uploadFailed is the notice for a file Slack did not take: what the
// file was, and what to do about the cause.
func uploadFailed(kind dialogs.FileKind, err error) dialogs.Reply {
	title, what, again := "Export failed", "the audit trail file", "`{cmd} export`"
	if kind == dialogs.FilePacket {
		title, what, again = "Exam packet upload failed", "the exam packet", "`{cmd} packet`"
	}
	var rl *slack.RateLimitedError
	switch {
	case notMember(err):
		return dialogs.Notice(title, "Slack did not accept "+what+" because caisbot is not a member of this channel. Invite it (`/invite @caisbot`), then type "+again+" again.")
	case errors.As(err, &rl):
		return dialogs.Notice(title, "Slack is busy and refused "+what+" for now; nothing was shared. Type "+again+" again in a minute.")
	case errors.Is(err, context.DeadlineExceeded):
		return dialogs.Notice(title, "Slack did not answer in time, so "+what+" may not have reached this channel. If it is not here in a minute, type "+again+" again.")
	}
	return dialogs.Notice(title, "Slack did not accept "+what+". Is caisbot a member of this channel? Invite it, then type "+again+" again.")
}
