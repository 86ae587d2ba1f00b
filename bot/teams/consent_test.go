package teams

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
)

const packetName = "cais-exam-packet-acme-securities-crd123456-2026-11-24.zip"

// packetBytes is a zip holding bytes text handling would damage.
func packetBytes(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("summary.pdf")
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	_, _ = w.Write(append([]byte("%PDF-1.4\r\n\x00"), all...))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func packetReply(content []byte) dialogs.Reply {
	r := dialogs.Notice("Exam packet", "The exam packet is ready.")
	r.File = &dialogs.File{Name: packetName, Title: "CAIS exam packet — Acme Securities", Content: content, Kind: dialogs.FilePacket}
	return r
}

// askPacket has the bot answer u's "packet" in the rig's conversation
// with a packet reply, as the command's reply is shown.
func (r *rig) askPacket(u Account, content []byte) *Activity {
	r.t.Helper()
	a := r.activity(u, typeMessage)
	a.Text = "packet"
	r.h.showMessage(context.Background(), a)(packetReply(content))
	r.h.Wait()
	return a
}

// consentCard is the file-consent card sent to conversation.
type sentConsent struct {
	Name    string
	Content fileConsentCard
}

func (r *rig) consentCards(conversation string) []sentConsent {
	var out []sentConsent
	for _, c := range r.bf.Calls(http.MethodPost, "/v3/conversations/"+conversation+"/activities") {
		var a struct {
			Attachments []struct {
				ContentType string          `json:"contentType"`
				Name        string          `json:"name"`
				Content     fileConsentCard `json:"content"`
			} `json:"attachments"`
		}
		if json.Unmarshal(c.Raw, &a) == nil && len(a.Attachments) == 1 && a.Attachments[0].ContentType == consentCardType {
			out = append(out, sentConsent{Name: a.Attachments[0].Name, Content: a.Attachments[0].Content})
		}
	}
	return out
}

// consent is u's click on a consent card in their personal chat.
func (r *rig) consent(u Account, action, offer, uploadURL string) *Activity {
	saved := r.conv
	r.conv = personalConv(u.ID)
	defer func() { r.conv = saved }()
	a := r.activity(u, typeInvoke)
	a.Name = invokeFileConsent
	a.Value = mustJSON(map[string]any{"type": "fileUpload", "action": action, "context": map[string]string{"offer": offer},
		"uploadInfo": map[string]string{"name": packetName, "uploadUrl": uploadURL, "contentUrl": "https://contoso.sharepoint.com/personal/pat/Documents/Applications/caisbot/" + packetName,
			"uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D", "fileType": "zip"}})
	return a
}

// sentFile is a file card (file.info attachment) the bot sent.
type sentFile struct {
	ContentType string            `json:"contentType"`
	ContentURL  string            `json:"contentUrl"`
	Name        string            `json:"name"`
	Content     map[string]string `json:"content"`
}

func (r *rig) fileCards(conversation string) []sentFile {
	var out []sentFile
	for _, call := range r.bf.Calls(http.MethodPost, "/v3/conversations/"+conversation+"/activities") {
		var m struct{ Attachments []sentFile }
		if json.Unmarshal(call.Raw, &m) == nil && len(m.Attachments) == 1 && m.Attachments[0].ContentType == fileInfoCardType {
			out = append(out, m.Attachments[0])
		}
	}
	return out
}

// notices are the texts of the cards posted to conversation.
func (r *rig) notices(conversation string) string {
	var b strings.Builder
	for _, c := range r.bf.Calls(http.MethodPost, "/v3/conversations/"+conversation+"/activities") {
		b.WriteString(cardString(c.Card) + c.Activity.Text + "\n")
	}
	return b.String()
}

func TestPacketIsOfferedInThePersonalChatAndUploadedOnAccept(t *testing.T) {
	r := newRig(t)
	drive := newFakeDrive(t)
	pat := person("Pat")
	content := packetBytes(t)
	r.askPacket(pat, content)

	opened := r.bf.opened()
	if len(opened) != 1 {
		t.Fatalf("%d conversations created, want the personal chat opened once", len(opened))
	}
	var p conversationParams
	_ = json.Unmarshal(opened[0].Raw, &p)
	if p.IsGroup || len(p.Members) != 1 || p.Members[0].ID != pat.ID || p.Bot.ID != botID || p.TenantID != tenantID {
		t.Errorf("conversation parameters %s", opened[0].Raw)
	}
	cards := r.consentCards(personalConv(pat.ID))
	if len(cards) != 1 {
		t.Fatalf("%d consent cards in the personal chat", len(cards))
	}
	c := cards[0]
	if c.Name != packetName || c.Content.SizeInBytes != len(content) || !offerID.MatchString(c.Content.AcceptContext.Offer) ||
		c.Content.DeclineContext != c.Content.AcceptContext || !strings.Contains(c.Content.Description, "Acme Securities") {
		t.Fatalf("consent card %+v", c)
	}
	for _, call := range r.bf.connectorCalls() {
		if bytes.Contains(call.Raw, content[len(content)-64:]) {
			t.Fatal("the packet's bytes went to the connector: they must stay with caisbot until accepted")
		}
	}
	if got := r.notices(channel + ";messageid=1700000000001"); !strings.Contains(got, "personal chat") || !strings.Contains(got, "accept") {
		t.Errorf("the channel was not told where the packet went:\n%s", got)
	}

	accept := r.consent(pat, "accept", c.Content.AcceptContext.Offer, drive.URL+"/upload/session-1")
	if st := r.post(accept); st != http.StatusOK {
		t.Fatalf("accept: status %d", st)
	}
	puts := drive.Puts()
	if len(puts) != 1 {
		t.Fatalf("%d uploads, want 1", len(puts))
	}
	n := len(content)
	if u := puts[0]; u.Method != http.MethodPut || !bytes.Equal(u.Body, content) || u.Header.Get("Content-Range") != "bytes 0-"+strconv.Itoa(n-1)+"/"+strconv.Itoa(n) ||
		u.Header.Get("Content-Length") != strconv.Itoa(n) || u.Header.Get("Authorization") != "" {
		t.Fatalf("upload %s %d bytes, headers %v", u.Method, len(u.Body), u.Header)
	}
	info := r.fileCards(personalConv(pat.ID))
	if len(info) != 1 {
		t.Fatalf("%d file cards after the upload, want 1", len(info))
	}
	f := info[0]
	if f.Name != packetName || !strings.HasSuffix(f.ContentURL, "/"+packetName) || f.Content["uniqueId"] != "1150D938-8870-4044-9F2C-5BBDEBA70C9D" || f.Content["fileType"] != "zip" {
		t.Errorf("file card %+v", f)
	}

	// Teams re-sends the same activity; then a second accept arrives.
	if st := r.post(accept); st != http.StatusOK {
		t.Fatalf("re-sent accept: status %d", st)
	}
	again := r.consent(pat, "accept", c.Content.AcceptContext.Offer, drive.URL+"/upload/session-2")
	if st := r.post(again); st != http.StatusOK {
		t.Fatalf("second accept: status %d", st)
	}
	if n := len(drive.Puts()); n != 1 {
		t.Fatalf("%d uploads after a re-sent and a second accept, want 1", n)
	}
	if got := r.notices(personalConv(pat.ID)); !strings.Contains(got, "already answered") {
		t.Errorf("the second accept was not told:\n%s", got)
	}
}

// In the personal chat itself, the card comes there: no chat is opened
// and nobody is told where it went.
func TestPacketAskedInThePersonalChat(t *testing.T) {
	r := newRig(t)
	pat := person("Pat")
	r.conv = personalConv(pat.ID)
	r.askPacket(pat, packetBytes(t))
	if n := len(r.bf.opened()); n != 0 {
		t.Errorf("%d conversations created for a command typed in the personal chat", n)
	}
	if n := len(r.consentCards(r.conv)); n != 1 {
		t.Fatalf("%d consent cards", n)
	}
	if got := r.notices(r.conv); strings.Contains(got, "sent to your personal chat") {
		t.Errorf("told to look where they already are:\n%s", got)
	}
}
