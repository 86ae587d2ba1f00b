package dialogs

import (
	"strings"
)

// Reply is what the bot says, independent of any chat platform. Text uses
// a small markup: **bold**, _italic_, `code`, [text](url), @{USERID}
// mentions, and "{cmd}" for the platform's command prefix. User-typed text
// enters only through Lit, so it can neither ping nor link.
type Reply struct {
	Title   string
	Parts   []Part
	Actions []Action
	// Public is a line for everyone in the channel (progress announcements).
	Public string
	// Replace says the reply supersedes the card that was clicked.
	Replace bool
	// Form, when set, asks the user for input before anything is recorded;
	// submitting it sends FormToken back with the input.
	Form      *Form
	FormToken string
	// FormError rejects a submitted form's input; the form stays open.
	// FormField names the field it is about (a form with Fields), so a
	// platform can show it beside that field.
	FormError string
	FormField string
	// FormMore are problems with other fields of the same submission.
	FormMore []FieldError
	// File is an attachment to upload (the audit export).
	File *File
	// Changed says the reply follows a change the Service committed (for
	// logs; it does not change how the reply looks).
	Changed bool
}

// PartKind says how a part is laid out.
type PartKind int

// Part kinds.
const (
	Text    PartKind = iota // body paragraph
	Context                 // small print
	Divider
)

// Part is one block of a reply.
type Part struct {
	Kind PartKind
	Text string
}

// Style marks the usual path or a destructive action.
type Style string

// Button styles.
const (
	Plain   Style = ""
	Primary Style = "primary"
	Danger  Style = "danger"
)

// Action is a button. Value is an opaque token for Click.
type Action struct {
	Label   string
	Style   Style
	Value   string
	Confirm *Confirm
	// Secondary marks an action off the usual path ("Waiting on…",
	// "Need help"); platforms short of room may tuck it away (Teams'
	// "More…").
	Secondary bool
}

// Confirm is a second question before a destructive action.
type Confirm struct {
	Title, Text, OK, Cancel string
}

// File is a document the platform uploads to the channel.
type File struct {
	Name, Title string
	Content     []byte
	// Kind says what the content is, so a platform that cannot upload
	// text files as files (Teams) knows how to deliver it.
	Kind FileKind
}

// FileKind is what a File holds.
type FileKind int

// File kinds.
const (
	FileCSV    FileKind = iota // text: the audit export
	FilePacket                 // a zip: the exam packet (binary; never shown inline)
)

func (r *Reply) text(s string)    { r.Parts = append(r.Parts, Part{Kind: Text, Text: s}) }
func (r *Reply) context(s string) { r.Parts = append(r.Parts, Part{Kind: Context, Text: s}) }
func (r *Reply) divider()         { r.Parts = append(r.Parts, Part{Kind: Divider}) }

// Mention renders a user reference; anything that is not a plain platform
// user id is shown literally.
func Mention(user string) string {
	if isUserID(user) {
		return "@{" + user + "}"
	}
	return Lit(user)
}

// isUserID is ^[A-Z0-9]{2,32}$ written out: the regexp was 8% of a
// click's own dialog work (Flow.choose).
func isUserID(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// litReplacer neutralises the markup's own syntax inside user text; the
// platform renderer escapes its own control characters (<, >, &) on top.
var litReplacer = strings.NewReplacer(
	"@{cmd}", "@\u200b{\u200bcmd}", // before "@{", which would leave "{cmd}" whole
	"@{", "@\u200b{", "{cmd}", "{\u200bcmd}", "](", "]\u200b(", "\n", " ", "\r", " ",
)

// Lit makes user-typed text safe to embed in markup.
func Lit(s string) string { return litReplacer.Replace(s) }

// nameReplacer turns the emphasis and code markers of this markup, Slack
// mrkdwn and Teams Markdown (* _ ~ `), which no platform lets a message
// escape, into look-alike characters that format nothing.
var nameReplacer = strings.NewReplacer("*", "\u2217", "_", "\u02cd", "~", "\u223c", "`", "\u02cb")

// Name makes a name someone typed (a CAT Reporting Agent) safe to embed in
// markup, even inside **bold**: Lit, and its emphasis markers shown as
// look-alikes. Stored names keep the characters as typed.
func Name(s string) string { return nameReplacer.Replace(Lit(s)) }

// FieldError is a problem with one field of a submitted form.
type FieldError struct {
	Field, Message string
}
