package slackbot

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/slackfake"
)

const packetName = "cais-exam-packet-acme-securities-crd123456-2026-11-24.zip"

// packetZip is a zip with bytes that text handling would damage: NULs,
// CR LF, invalid UTF-8, every byte value.
func packetZip(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for name, content := range map[string][]byte{"summary.pdf": append([]byte("%PDF-1.4\r\n\x00\xff\xfe"), all...), "audit.csv": []byte("seq,at_utc\r\n1,2026-11-24\r\n")} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func packetReply(content []byte) dialogs.Reply {
	return dialogs.Reply{Title: "Exam packet", File: &dialogs.File{Name: packetName, Title: "CAIS exam packet — Acme Securities", Content: content, Kind: dialogs.FilePacket}}
}

// uploadedBytes is the file part of the multipart body slack-go posts to
// the upload URL, and its file name.
func uploadedBytes(t *testing.T, c slackfake.Call) ([]byte, string) {
	t.Helper()
	_, params, err := mime.ParseMediaType(c.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("upload content type %q: %v", c.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(bytes.NewReader(c.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no file part in the upload: %v", err)
		}
		if p.FormName() == "file" {
			b, _ := io.ReadAll(p)
			return b, p.FileName()
		}
	}
}

func TestPacketGoesOutByteExactWithItsName(t *testing.T) {
	r := newRig(t)
	content := packetZip(t)
	r.h.upload(r.inWorkspace(), chanID, r.slack.ResponseURL("packet"), packetReply(content))
	r.h.Wait()
	get := r.slack.Calls("files.getUploadURLExternal")
	up := r.slack.Calls("upload")
	done := r.slack.Calls("files.completeUploadExternal")
	if len(get) != 1 || len(up) != 1 || len(done) != 1 {
		t.Fatalf("calls: %d getUploadURLExternal, %d uploads, %d completeUploadExternal; want one each", len(get), len(up), len(done))
	}
	if g := get[0]; g.Param("filename") != packetName || g.Param("length") != itoa(len(content)) {
		t.Errorf("getUploadURLExternal filename %q length %q, want %q %d", g.Param("filename"), g.Param("length"), packetName, len(content))
	}
	got, name := uploadedBytes(t, up[0])
	if !bytes.Equal(got, content) || name != packetName {
		t.Fatalf("uploaded %d bytes named %q; want the %d zip bytes exactly, named %q", len(got), name, len(content), packetName)
	}
	if _, err := zip.NewReader(bytes.NewReader(got), int64(len(got))); err != nil {
		t.Fatalf("the uploaded packet is no longer a zip: %v", err)
	}
	var files []struct{ ID, Title string }
	_ = json.Unmarshal([]byte(done[0].Param("files")), &files)
	if len(files) != 1 || files[0].Title != "CAIS exam packet — Acme Securities" || done[0].Param("channel_id") != chanID {
		t.Errorf("completeUploadExternal files %s channel %q", done[0].Param("files"), done[0].Param("channel_id"))
	}
	if n := len(r.slack.Calls("response_url")); n != 0 {
		t.Errorf("a successful upload told the user %d things", n)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// Each of the upload's calls can refuse, rate-limit or hang: the user is
// told, in words about the packet, within the upload's bound.
func TestPacketUploadFailuresAreToldAndBounded(t *testing.T) {
	steps := []string{"files.getUploadURLExternal", "upload", "files.completeUploadExternal"}
	faults := map[string]struct {
		f    []slackfake.Failure
		want string
	}{
		"429":        {[]slackfake.Failure{{Status: http.StatusTooManyRequests, RetryAfter: "30"}}, "Slack is busy"},
		"error":      {[]slackfake.Failure{{Status: http.StatusInternalServerError}}, "Slack did not accept the exam packet"},
		"hang":       {[]slackfake.Failure{{Hang: 5 * time.Second}}, "did not answer in time"},
		"429 twice":  {[]slackfake.Failure{{Status: http.StatusTooManyRequests, RetryAfter: "1"}, {Status: http.StatusTooManyRequests, RetryAfter: "1"}}, "Slack is busy"},
		"not member": {[]slackfake.Failure{{Status: http.StatusOK, Error: "not_in_channel"}}, "not a member of this channel"},
	}
	for _, step := range steps {
		for name, fault := range faults {
			if name == "not member" && step == "upload" {
				continue // the upload URL answers no Slack error codes
			}
			t.Run(step+"/"+name, func(t *testing.T) {
				r := newRig(t)
				if name == "hang" {
					r.h.uploadWait = 300 * time.Millisecond // the rest answer at once
				}
				r.slack.FailNext(step, fault.f...)
				start := time.Now()
				r.h.upload(r.inWorkspace(), chanID, r.slack.ResponseURL("packet"), packetReply(packetZip(t)))
				r.h.Wait()
				if took := time.Since(start); took > 4*time.Second {
					t.Errorf("the user was told after %v", took)
				}
				notes := r.slack.Calls("response_url")
				if len(notes) != 1 {
					t.Fatalf("%d notices, want 1", len(notes))
				}
				_, bl := decode(t, notes[0].Body)
				got := text(bl)
				if header(bl) != "Exam packet upload failed" || !strings.Contains(got, fault.want) || !strings.Contains(got, "/cais-next packet") || strings.Contains(got, "audit trail") {
					t.Fatalf("notice:\n%s", got)
				}
			})
		}
	}
}

// A short 429 is waited out once: the packet arrives, nobody is told of
// a failure, and it is shared once.
func TestPacketUploadWaitsOutOneShortRateLimit(t *testing.T) {
	r := newRig(t)
	r.slack.FailNext("files.getUploadURLExternal", slackfake.Failure{Status: http.StatusTooManyRequests, RetryAfter: "1"})
	r.h.upload(r.inWorkspace(), chanID, r.slack.ResponseURL("packet"), packetReply(packetZip(t)))
	r.h.Wait()
	if n, m := len(r.slack.Calls("files.completeUploadExternal")), len(r.slack.Calls("response_url")); n != 1 || m != 0 {
		t.Fatalf("%d files shared, %d notices; want 1 and 0", n, m)
	}
}

// The export's notice still speaks of the audit trail file.
func TestExportUploadFailureSpeaksOfTheAuditTrail(t *testing.T) {
	r := newRig(t)
	r.slack.FailNext("files.completeUploadExternal", slackfake.Failure{Status: http.StatusOK, Error: "not_in_channel"})
	r.slash("U1", "export")
	r.h.Wait()
	notes := r.slack.Wait(t, "response_url", 1)
	_, bl := decode(t, notes[len(notes)-1].Body)
	if got := text(bl); header(bl) != "Export failed" || !strings.Contains(got, "audit trail file") || !strings.Contains(got, "/cais-next export") {
		t.Fatalf("notice:\n%s", got)
	}
}

// inWorkspace is a request context of the rig's workspace, as a command
// from it has: its Web API client chosen.
func (r *rig) inWorkspace() context.Context {
	r.t.Helper()
	ctx, refused := r.h.workspace(context.Background(), Workspace{Team: team})
	if refused != nil {
		r.t.Fatalf("the rig's workspace is refused: %+v", refused)
	}
	return ctx
}
