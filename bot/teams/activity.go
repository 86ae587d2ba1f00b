package teams

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"strings"
)

// Activity is the part of the Bot Framework activity schema the bot reads
// and writes. Unknown fields of incoming activities are ignored.
type Activity struct {
	Type         string          `json:"type"`
	ID           string          `json:"id,omitempty"`
	Name         string          `json:"name,omitempty"`
	ServiceURL   string          `json:"serviceUrl,omitempty"`
	ChannelID    string          `json:"channelId,omitempty"`
	From         *Account        `json:"from,omitempty"`
	Conversation *Conversation   `json:"conversation,omitempty"`
	Recipient    *Account        `json:"recipient,omitempty"`
	Text         string          `json:"text,omitempty"`
	TextFormat   string          `json:"textFormat,omitempty"`
	Summary      string          `json:"summary,omitempty"`
	Attachments  []Attachment    `json:"attachments,omitempty"`
	Entities     []Entity        `json:"entities,omitempty"`
	ChannelData  *ChannelData    `json:"channelData,omitempty"`
	ReplyToID    string          `json:"replyToId,omitempty"`
	Value        json.RawMessage `json:"value,omitempty"`
	// Action is installationUpdate's "add", "remove", "add-upgrade"….
	Action         string    `json:"action,omitempty"`
	MembersAdded   []Account `json:"membersAdded,omitempty"`
	MembersRemoved []Account `json:"membersRemoved,omitempty"`
}

// Activity types the bot handles.
const (
	typeMessage      = "message"
	typeInvoke       = "invoke"
	typeConvUpdate   = "conversationUpdate"
	typeInstallation = "installationUpdate"
)

// Account is a user or the bot.
type Account struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	AADObjectID string `json:"aadObjectId,omitempty"`
}

// Conversation is a personal chat, group chat or channel thread.
type Conversation struct {
	ID               string `json:"id"`
	ConversationType string `json:"conversationType,omitempty"`
	TenantID         string `json:"tenantId,omitempty"`
	IsGroup          bool   `json:"isGroup,omitempty"`
}

// Attachment carries a card (or a file's card: contentUrl).
type Attachment struct {
	ContentType string `json:"contentType"`
	ContentURL  string `json:"contentUrl,omitempty"`
	Content     any    `json:"content,omitempty"`
	Name        string `json:"name,omitempty"`
}

// Entity is a mention (or another entity the bot ignores).
type Entity struct {
	Type      string   `json:"type"`
	Text      string   `json:"text,omitempty"`
	Mentioned *Account `json:"mentioned,omitempty"`
}

// ChannelData is Teams' own part of an activity.
type ChannelData struct {
	Tenant    *idName `json:"tenant,omitempty"`
	Team      *idName `json:"team,omitempty"`
	Channel   *idName `json:"channel,omitempty"`
	EventType string  `json:"eventType,omitempty"`
}

type idName struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// AADGroupID is a team's Entra group id, its id in Microsoft Graph;
	// Teams sends it on a team's conversationUpdate events.
	AADGroupID string `json:"aadGroupId,omitempty"`
}

// tenant is the Teams tenant the activity comes from.
func (a *Activity) tenant() string {
	if a.Conversation != nil && a.Conversation.TenantID != "" {
		return a.Conversation.TenantID
	}
	if a.ChannelData != nil && a.ChannelData.Tenant != nil {
		return a.ChannelData.Tenant.ID
	}
	return ""
}

// channel is where the activity happened, without the reply thread: the
// Teams channel for channel posts, else the chat. Announcements go there
// as new posts.
func (a *Activity) channel() string {
	if a.ChannelData != nil && a.ChannelData.Channel != nil && a.ChannelData.Channel.ID != "" {
		return a.ChannelData.Channel.ID
	}
	if a.Conversation == nil {
		return ""
	}
	id, _, _ := strings.Cut(a.Conversation.ID, ";messageid=")
	return id
}

func (a *Activity) conversationID() string {
	if a.Conversation == nil {
		return ""
	}
	return a.Conversation.ID
}

// guid matches an Entra (Azure AD) object id.
var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// CanonicalUser turns an Entra object id ("0f1e…-…") into the form the bot
// records and compares: 32 upper-case hex digits. That form is a plain
// platform user id to dialogs, so mentions of it reach the renderer, and
// it is stable across chats and tenants' bots. Anything else is returned
// unchanged, so Slack ids pass through; apply it to CAIS_ADMIN_USERS.
func CanonicalUser(id string) string {
	if !guid.MatchString(id) {
		return id
	}
	return strings.ToUpper(strings.ReplaceAll(id, "-", ""))
}

// userID is who acted, as recorded in progress and the audit trail.
func (a *Activity) userID() string {
	if a.From == nil {
		return ""
	}
	if a.From.AADObjectID != "" && guid.MatchString(a.From.AADObjectID) {
		return CanonicalUser(a.From.AADObjectID)
	}
	return a.From.ID
}

// userName is who acted as Teams showed them (from.name), for the
// audit entry.
func (a *Activity) userName() string {
	if a.From == nil {
		return ""
	}
	return a.From.Name
}

// place names where the activity came from as Teams shows it (the team,
// and the channel when each channel is a firm), for file names; "" in a
// personal or group chat, which carry no name.
func (a *Activity) place(channelScope bool) string {
	cd := a.ChannelData
	if cd == nil || cd.Team == nil || cd.Team.Name == "" {
		return ""
	}
	if channelScope && cd.Channel != nil && cd.Channel.Name != "" {
		return cd.Team.Name + " " + cd.Channel.Name
	}
	return cd.Team.Name
}

// maxFirmPart bounds the chat part of a channel-scope firm id: the store
// refuses ids over 200 bytes, and personal-chat ids can be long.
const maxFirmPart = 120

// firmPart shortens an over-long chat id to a stable digest.
func firmPart(id string) string {
	if len(id) <= maxFirmPart {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "sha256-" + hex.EncodeToString(sum[:16])
}

var (
	atTag   = regexp.MustCompile(`(?is)<at[^>]*>.*?</at>`)
	anyTag  = regexp.MustCompile(`<[^>]*>`)
	spaceRe = regexp.MustCompile(`[\s\x{00a0}]+`)
)

// commandText is what the user typed, without the bot's @mention (Teams
// puts "<at>caisbot</at>" in the text), HTML, or a leading bot name.
func (a *Activity) commandText(botName string) string {
	t, stripped := a.Text, false
	for _, e := range a.Entities {
		if a.mentionsBot(e) && e.Text != "" && strings.Contains(t, e.Text) {
			t, stripped = strings.ReplaceAll(t, e.Text, " "), true
		}
	}
	// A leading mention is the bot's when its entity's text is not in the
	// message (Teams has sent bot mentions without text) or the mentions
	// came without entities (an emulator): only the first one, in front,
	// so mentions of people stay.
	botNamed := !a.hasMentions() || slices.ContainsFunc(a.Entities, a.mentionsBot)
	if m := atTag.FindStringIndex(t); m != nil && strings.TrimSpace(t[:m[0]]) == "" && !stripped && botNamed {
		t = t[m[1]:]
	}
	t = html.UnescapeString(anyTag.ReplaceAllString(t, " "))
	t = strings.TrimSpace(spaceRe.ReplaceAllString(t, " "))
	if rest, ok := afterName(t, botName); ok {
		return rest
	}
	return t
}

// afterName is t after a leading "@caisbot" or "caisbot" (any case), and
// whether t began so.
func afterName(t, botName string) (string, bool) {
	for _, prefix := range []string{"@" + botName, botName} {
		if len(t) >= len(prefix) && strings.EqualFold(t[:len(prefix)], prefix) && (len(t) == len(prefix) || t[len(prefix)] == ' ') {
			return strings.TrimSpace(t[len(prefix):]), true
		}
	}
	return "", false
}

// mentionsBot says entity e is an @mention of this bot.
func (a *Activity) mentionsBot(e Entity) bool {
	return e.Type == "mention" && e.Mentioned != nil && a.Recipient != nil && e.Mentioned.ID == a.Recipient.ID
}

// hasMentions says the message carries @mention entities, as Teams sends
// for every mention.
func (a *Activity) hasMentions() bool {
	for _, e := range a.Entities {
		if e.Type == "mention" {
			return true
		}
	}
	return false
}

// addressesBot says a typed message is meant for caisbot. In a personal
// chat every message is. In a channel or group chat only one that
// @mentions caisbot is: with the permissions that let caisbot check its
// reminders, Teams sends it every message there, and people's talk to
// each other — "undo", "status" — must never act on the record. Teams
// sends an entity with every mention; only a local emulator (local: no
// Microsoft app configured) may send none, and there a message beginning
// with a mention or caisbot's name counts too.
func (a *Activity) addressesBot(botName string, local bool) bool {
	if a.Conversation == nil || a.Conversation.ConversationType == "" || a.isPersonal() {
		return true
	}
	if slices.ContainsFunc(a.Entities, a.mentionsBot) {
		return true
	}
	if !local || a.hasMentions() {
		return false
	}
	t := strings.TrimSpace(a.Text)
	if strings.HasPrefix(t, "<at") {
		return true
	}
	_, named := afterName(strings.TrimSpace(spaceRe.ReplaceAllString(html.UnescapeString(anyTag.ReplaceAllString(t, " ")), " ")), botName)
	return named
}
