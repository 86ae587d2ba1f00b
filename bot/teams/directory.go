package teams

import (
	"context"
	"encoding/json"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/cache"
)

// Directory is what the adapter keeps (StoreDirectory keeps it in the
// store's records for Teams): where the bot can post, and who users are, so cards
// name people. Values are JSON the adapter owns; the store keeps them
// opaque.
type Directory interface {
	SaveConversation(ctx context.Context, id, ref string) error
	// Conversation returns found=false for an id never saved (or forgotten).
	Conversation(ctx context.Context, id string) (ref string, found bool, err error)
	ForgetConversation(ctx context.Context, id string) error
	SavePerson(ctx context.Context, tenant, user, person string) error
	// People returns the saved people among users; unknown ones are absent.
	People(ctx context.Context, tenant string, users []string) (map[string]string, error)
	// HoldOffer keeps a file offered for consent (an exam packet) under
	// id for ttl; TakeOffer returns it once (found=false when expired,
	// unknown or already taken).
	HoldOffer(ctx context.Context, id, offer string, ttl time.Duration) error
	TakeOffer(ctx context.Context, id string) (offer string, found bool, err error)
}

// ConversationRef is where a proactive message goes: the connector that
// serves the conversation, and the conversation (for a channel, the
// channel itself, so a post starts a new thread).
type ConversationRef struct {
	ServiceURL   string `json:"serviceUrl"`
	Conversation string `json:"conversation"`
	Tenant       string `json:"tenant,omitempty"`
	ChannelID    string `json:"channelId,omitempty"` // "msteams"
	Type         string `json:"type,omitempty"`      // personal, groupChat, channel
	Bot          string `json:"bot,omitempty"`
	// Team is a channel's team ("19:…@thread.tacv2") and AADGroup that
	// team's Entra group id, which Graph needs to read the channel's
	// history (reminders' exactly-once check). AADGroup is filled in when
	// known; otherwise it is looked up through the connector.
	Team     string `json:"team,omitempty"`
	AADGroup string `json:"aadGroupId,omitempty"`
}

// refOf is the reference of the activity's conversation.
func refOf(a *Activity) ConversationRef {
	r := ConversationRef{ServiceURL: a.ServiceURL, Conversation: a.channel(), Tenant: a.tenant(), ChannelID: a.ChannelID}
	if a.Conversation != nil {
		r.Type = a.Conversation.ConversationType
	}
	if a.Recipient != nil {
		r.Bot = a.Recipient.ID
	}
	if t := a.ChannelData; t != nil && t.Team != nil && t.Channel != nil {
		r.Team, r.AADGroup = t.Team.ID, t.Team.AADGroupID
	}
	return r
}

// saved remembers what this replica last wrote, so the store is written
// when something changed, not on every activity.
type saved struct{ vals cache.Map[string, string] }

// maxSaved bounds the memory; past it the cache starts over.
const maxSaved = 10000

// savedLimit bounds saved, notes and teamGroups.
var savedLimit = cache.Limit{Max: maxSaved, StartOver: true}

func (s *saved) changed(key, val string) bool {
	old, _ := s.vals.Swap(key, val, savedLimit)
	return old != val
}

func (s *saved) forget(key string) { s.vals.Delete(key) }

// remember stores the conversation reference and the sender's name. A
// failure is logged, not shown: the request itself can still succeed.
func (h *Handler) remember(ctx context.Context, a *Activity) {
	ref, _ := json.Marshal(h.groups.fill(refOf(a)))
	if id := a.channel(); h.cache.changed("c\x00"+id, string(ref)) {
		if err := h.cfg.Store.SaveConversation(ctx, id, string(ref)); err != nil {
			h.cache.forget("c\x00" + id)
			h.logger(ctx).Warn("cannot remember the conversation", "err", err)
		}
	}
	user, tenant := a.userID(), h.tenantOf(a)
	if user == "" || a.From.Name == "" {
		return
	}
	p, _ := json.Marshal(Person{Name: a.From.Name, TeamsID: a.From.ID})
	if key := "p\x00" + tenant + "\x00" + user; h.cache.changed(key, string(p)) {
		if err := h.cfg.Store.SavePerson(ctx, tenant, user, string(p)); err != nil {
			h.cache.forget(key)
			h.logger(ctx).Warn("cannot remember the user's name", "err", err)
		}
	}
}

func (h *Handler) tenantOf(a *Activity) string {
	if t := a.tenant(); t != "" {
		return t
	}
	return localTenant
}

// people resolves the users a reply mentions: the sender from the
// activity itself, the others from the directory.
func (h *Handler) people(ctx context.Context, a *Activity, r dialogs.Reply) People {
	out := People{}
	if u := a.userID(); u != "" && a.From.Name != "" {
		out[u] = Person{Name: a.From.Name, TeamsID: a.From.ID}
	}
	var missing []string
	for _, id := range mentioned(r) {
		if _, ok := out[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out
	}
	found, err := h.cfg.Store.People(ctx, h.tenantOf(a), missing)
	if err != nil {
		h.logger(ctx).Warn("cannot look up names; showing placeholders", "err", err)
	}
	for id, raw := range found {
		var p Person
		if json.Unmarshal([]byte(raw), &p) == nil {
			out[id] = p
		}
	}
	return out
}
