package teams

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// The exam packet is a zip: Teams cannot show it inline like the CSV
// export, and a bot may upload a file only to a user's OneDrive, with
// their consent, in their personal chat. So the packet is kept here
// (offerTTL, under a random offer id), a file-consent card carrying only
// that id goes to the personal chat, and when the user accepts, Teams
// sends a fileConsent/invoke with an upload URL that the bytes kept here
// are PUT to. Nothing the client sends back but the id is trusted; the
// offer is taken once, so a second accept uploads nothing.
const (
	consentCardType   = "application/vnd.microsoft.teams.card.file.consent"
	fileInfoCardType  = "application/vnd.microsoft.teams.card.file.info"
	invokeFileConsent = "fileConsent/invoke"
	offerTTL          = time.Hour
	// maxOfferBytes bounds what is kept in Redis per offer; a packet is
	// well under 1 MiB.
	maxOfferBytes = 16 << 20
)

// offer is a packet waiting for its user's consent.
type offer struct {
	User    string `json:"user"` // who asked; only they may accept
	Name    string `json:"name"`
	Content []byte `json:"content"`
}

// fileConsentCard is the content of a file-consent attachment.
type fileConsentCard struct {
	Description    string       `json:"description"`
	SizeInBytes    int          `json:"sizeInBytes"`
	AcceptContext  offerContext `json:"acceptContext"`
	DeclineContext offerContext `json:"declineContext"`
}

// offerContext is what the card gives back when clicked: the offer id.
type offerContext struct {
	Offer string `json:"offer"`
}

var offerID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func newOfferID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// Consent is the file-consent card offering f under offer id.
func (rd Renderer) Consent(f *dialogs.File, id string) *Activity {
	desc := plainText(f.Title, rd.Command, nil, maxTitle) + ". Accept to save it to your OneDrive; this offer lasts an hour."
	c := offerContext{Offer: id}
	return &Activity{Type: typeMessage, Attachments: []Attachment{{ContentType: consentCardType, Name: f.Name,
		Content: fileConsentCard{Description: desc, SizeInBytes: len(f.Content), AcceptContext: c, DeclineContext: c}}}}
}

// offerPacket keeps the packet and sends the consent card to the
// personal chat of the user who asked; in a channel or group chat it
// says where the packet went. Whatever fails, the user is told.
func (h *Handler) offerPacket(ctx context.Context, a *Activity, f *dialogs.File) error {
	here := address{serviceURL: a.ServiceURL, conversation: a.conversationID(), bot: a.Recipient, user: a.From}
	if len(f.Content) == 0 || len(f.Content) > maxOfferBytes {
		h.tell(ctx, here, a.ID, packetNotice("The exam packet is too large to send through Teams. Nothing was sent."))
		return nil
	}
	id := newOfferID()
	raw, err := json.Marshal(offer{User: a.userID(), Name: f.Name, Content: f.Content})
	if err == nil {
		err = h.cfg.Store.HoldOffer(ctx, id, string(raw), offerTTL)
	}
	if err != nil {
		h.tell(ctx, here, a.ID, packetNotice("caisbot could not keep the exam packet for you to accept: its database did not answer. Nothing was sent; type `{cmd} packet` again in a minute."))
		return err
	}
	to, err := h.personalChat(ctx, a)
	if err == nil {
		_, err = h.conn.Send(ctx, to.serviceURL, to.conversation, to.stamp(h.render.Consent(f, id)))
	}
	if err != nil {
		_, _, _ = h.cfg.Store.TakeOffer(ctx, id) // nobody can accept it now
		h.tell(ctx, here, a.ID, packetNotice("caisbot could not send the exam packet to your personal chat. Teams lets a bot send files only there, once you have added caisbot for yourself: open caisbot under Apps, choose Add, then type `{cmd} packet` again."))
		return err
	}
	if !a.isPersonal() {
		h.tell(ctx, here, a.ID, dialogs.Notice("Exam packet sent to your personal chat", "The exam packet is waiting in your personal chat with caisbot: accept it there to save it to your OneDrive. The offer lasts an hour."))
	}
	return nil
}

func packetNotice(text string) dialogs.Reply { return dialogs.Notice("Exam packet not sent", text) }

// tell sends a notice to the conversation, in reply to replyTo if set.
func (h *Handler) tell(ctx context.Context, to address, replyTo string, r dialogs.Reply) {
	msg := to.stamp(h.render.Message(r, nil))
	var err error
	if replyTo != "" {
		_, err = h.conn.Reply(ctx, to.serviceURL, to.conversation, replyTo, msg)
	} else {
		_, err = h.conn.Send(ctx, to.serviceURL, to.conversation, msg)
	}
	if err != nil {
		h.logger(ctx).Error("cannot tell the user about the exam packet", "err", err)
	}
}

// consentValue is a fileConsent/invoke's value.
type consentValue struct {
	Type       string       `json:"type"`
	Action     string       `json:"action"` // accept or decline
	Context    offerContext `json:"context"`
	UploadInfo uploadInfo   `json:"uploadInfo"`
}

// uploadInfo is where Teams lets the bot put an accepted file.
type uploadInfo struct {
	Name       string `json:"name"`
	UploadURL  string `json:"uploadUrl"`
	ContentURL string `json:"contentUrl"`
	UniqueID   string `json:"uniqueId"`
	FileType   string `json:"fileType"`
}

// fileConsent answers the user's click on a file-consent card. The
// invoke is answered at once; the upload and the messages follow.
func (h *Handler) fileConsent(ctx context.Context, a *Activity) answer {
	v, valid := parseConsent(a.Value)
	if !valid {
		return answer{status: http.StatusBadRequest}
	}
	to := address{serviceURL: a.ServiceURL, conversation: a.conversationID(), bot: a.Recipient, user: a.From}
	say := func(title, text string) {
		h.background(ctx, "send", func(ctx context.Context) error {
			h.tell(ctx, to, "", dialogs.Notice(title, text))
			return nil
		})
	}
	var o offer
	raw, found, err := "", false, error(nil)
	if v.Context.Offer != "" {
		raw, found, err = h.cfg.Store.TakeOffer(ctx, v.Context.Offer)
	}
	switch {
	case err != nil:
		h.logger(ctx).Error("cannot take the exam packet offer", "err", err)
		say("Exam packet not uploaded", "caisbot could not reach its database, so nothing was uploaded. Try again in a minute, or type `{cmd} packet` for a new offer.")
		return ok() // the offer is still there: a re-sent activity may succeed
	case !found || json.Unmarshal([]byte(raw), &o) != nil:
		say("Exam packet offer expired", "This exam packet offer has expired (offers last an hour) or was already answered, so nothing was uploaded. Type `{cmd} packet` in your firm's channel for a new one.")
		return answer{status: http.StatusOK, keep: true}
	case o.User != a.userID():
		say("Exam packet not uploaded", "This exam packet was offered to someone else, so nothing was uploaded.")
		return answer{status: http.StatusOK, keep: true}
	case v.Action == "decline":
		say("Exam packet declined", "You declined the exam packet, so nothing was uploaded. Type `{cmd} packet` when you want it.")
		return answer{status: http.StatusOK, keep: true}
	case !uploadURLAllowed(v.UploadInfo.UploadURL):
		h.logger(ctx).Warn("file consent without an https upload URL; nothing uploaded")
		say("Exam packet not uploaded", "Teams gave no usable place to upload the exam packet, so nothing was uploaded. Type `{cmd} packet` to try again.")
		return answer{status: http.StatusOK, keep: true}
	}
	h.background(ctx, "file upload", func(ctx context.Context) error { return h.deliverOffer(ctx, to, o, v.UploadInfo) })
	return answer{status: http.StatusOK, keep: true}
}

// parseConsent reads a fileConsent/invoke's value: valid when it is an
// accept or a decline; the offer id is kept only if it has the shape of
// one (anything else is an unknown offer).
func parseConsent(raw []byte) (v consentValue, valid bool) {
	if json.Unmarshal(raw, &v) != nil || (v.Action != "accept" && v.Action != "decline") {
		return consentValue{}, false
	}
	if !offerID.MatchString(v.Context.Offer) {
		v.Context.Offer = ""
	}
	return v, true
}

// uploadURLAllowed admits https URLs, and http on loopback (tests, the
// local Agents Playground): the packet never travels in clear.
func uploadURLAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	return u.Scheme == "https" || u.Scheme == "http" && loopbackURL(raw)
}
