package playground

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// The exam packet, uploaded as the Slack adapter uploads it, shows in the
// channel, to everyone in it, as a zip the page offers for download under
// its own name, and downloads byte for byte.
func TestUploadedPacketIsADownloadableZip(t *testing.T) {
	rig := newRig(t, nil)
	const name = "cais-exam-packet-acme-securities-crd123456-2026-11-24.zip"
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("summary.pdf")
	_, _ = w.Write([]byte("%PDF-1.4\r\n\x00\xff\xfe binary"))
	_ = zw.Close()
	content := buf.Bytes()
	if _, err := rig.api.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Reader: bytes.NewReader(content), FileSize: len(content), Filename: name, Title: "CAIS exam packet", Channel: "C0PLAYGRND",
	}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(rig.srv.URL + "/playground/state")
	if err != nil {
		t.Fatal(err)
	}
	var snap struct {
		Messages []struct {
			Files     []File `json:"files"`
			Ephemeral bool   `json:"ephemeral"`
			VisibleTo string `json:"visible_to"`
		} `json:"messages"`
	}
	err = json.NewDecoder(resp.Body).Decode(&snap)
	resp.Body.Close()
	if err != nil || len(snap.Messages) != 1 || len(snap.Messages[0].Files) != 1 {
		t.Fatalf("state: %v %+v", err, snap)
	}
	if m := snap.Messages[0]; m.Ephemeral || m.VisibleTo != "" {
		t.Fatalf("the channel's file is shown to %q only (ephemeral %t)", m.VisibleTo, m.Ephemeral)
	}
	f := snap.Messages[0].Files[0]
	u, _ := url.Parse(f.URL)
	// The page offers a download only for its own /playground/files/ links.
	if f.Name != name || f.Title != "CAIS exam packet" || f.Filetype != "zip" || f.Mimetype != "application/zip" || f.Size != len(content) ||
		"http://"+u.Host != rig.srv.URL || !strings.HasPrefix(u.Path, "/playground/files/") || !strings.HasSuffix(u.Path, "/"+name) {
		t.Fatalf("file as the page gets it: %+v", f)
	}
	dl, err := http.Get(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	disp, params, _ := mime.ParseMediaType(dl.Header.Get("Content-Disposition"))
	if !bytes.Equal(got, content) || dl.Header.Get("Content-Type") != "application/zip" || disp != "attachment" || params["filename"] != name {
		t.Fatalf("download: %d bytes, headers %v", len(got), dl.Header)
	}
	if _, err := zip.NewReader(bytes.NewReader(got), int64(len(got))); err != nil {
		t.Fatalf("the download is not a zip: %v", err)
	}
}

// users.info names the page's people as the page does.
func TestUsersInfo(t *testing.T) {
	rig := newRig(t, nil)
	u, err := rig.api.GetUserInfoContext(context.Background(), DefaultUsers[0].ID)
	if err != nil || u.Profile.DisplayName != DefaultUsers[0].Name || u.RealName != DefaultUsers[0].Name {
		t.Fatalf("users.info %s: %+v %v", DefaultUsers[0].ID, u, err)
	}
	if _, err := rig.api.GetUserInfoContext(context.Background(), "U0NOBODY"); slackErr(err) != "user_not_found" {
		t.Fatalf("unknown user: %v", err)
	}
}
