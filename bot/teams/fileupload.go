package teams

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// Upload bounds: every attempt together may take putWait (the background
// task has 30 s, so the user can still be told); a 429 or 5xx is tried
// again up to maxPutAttempts, after the Retry-After asked for if it is at
// most maxPutPause.
const (
	putWait        = 20 * time.Second
	maxPutAttempts = 3
	maxPutPause    = 5 * time.Second
	putPause       = 500 * time.Millisecond
)

// putError is an upload URL's refusal.
type putError struct {
	status     int
	retryAfter time.Duration
}

func (e *putError) Error() string { return fmt.Sprintf("the upload URL answered %d", e.status) }

// deliverOffer uploads an accepted packet and shows it in the chat as a
// file card; if the upload fails, the user is told nothing was saved.
func (h *Handler) deliverOffer(ctx context.Context, to address, o offer, info uploadInfo) error {
	if err := h.putFile(ctx, info.UploadURL, o.Content); err != nil {
		h.tell(ctx, to, "", notUploaded(err))
		return err
	}
	name := info.Name
	if name == "" {
		name = o.Name
	}
	_, err := h.conn.Send(ctx, to.serviceURL, to.conversation, to.stamp(h.render.FileInfo(name, info)))
	return err
}

// FileInfo is the message showing an uploaded file as Teams' file card.
func (rd Renderer) FileInfo(name string, info uploadInfo) *Activity {
	return &Activity{Type: typeMessage, TextFormat: "plain", Text: "Exam packet saved to your OneDrive: " + name,
		Attachments: []Attachment{{ContentType: fileInfoCardType, ContentURL: info.ContentURL, Name: name,
			Content: map[string]string{"uniqueId": info.UniqueID, "fileType": info.FileType}}}}
}

// putFile PUTs content to an upload URL in one range, retrying what may
// pass (429, 5xx) within putWait.
func (h *Handler) putFile(ctx context.Context, uploadURL string, content []byte) error {
	ctx, cancel := context.WithTimeout(ctx, h.putWait)
	defer cancel()
	for attempt := 1; ; attempt++ {
		err := h.putOnce(ctx, uploadURL, content)
		var pe *putError
		if err == nil || !errors.As(err, &pe) || attempt == maxPutAttempts {
			return err
		}
		pause := putPause * time.Duration(attempt)
		switch {
		case pe.status == http.StatusTooManyRequests && pe.retryAfter > maxPutPause:
			return err
		case pe.status == http.StatusTooManyRequests && pe.retryAfter > 0:
			pause = pe.retryAfter
		case pe.status != http.StatusTooManyRequests && pe.status < 500:
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// putOnce makes one PUT. The upload URL is pre-authorised: it gets no
// token, and it is never logged (errors leave it out).
func (h *Handler) putOnce(ctx context.Context, uploadURL string, content []byte) error {
	n := len(content)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, uploadURL, bytes.NewReader(content))
	if err != nil {
		return errors.New("the upload URL is not a URL")
	}
	req.ContentLength = int64(n)
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", n-1, n))
	resp, err := h.cfg.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("upload: %w", ctx.Err())
		}
		return errors.New("upload: the connection failed")
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return &putError{status: resp.StatusCode, retryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}
	return nil
}

// notUploaded tells the user why the packet is not in their OneDrive.
func notUploaded(err error) dialogs.Reply {
	var pe *putError
	why := "the upload did not go through"
	switch {
	case errors.As(err, &pe) && pe.status == http.StatusTooManyRequests:
		why = "OneDrive is busy and refused the upload for now"
	case errors.As(err, &pe):
		why = fmt.Sprintf("OneDrive refused the upload (%d)", pe.status)
	case errors.Is(err, context.DeadlineExceeded):
		why = "OneDrive did not answer in time"
	}
	return dialogs.Notice("Exam packet upload failed", why+", so the exam packet is not in your OneDrive. Type `{cmd} packet` in your firm's channel for a new offer.")
}
