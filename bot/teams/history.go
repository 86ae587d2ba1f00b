package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/caisbot/caisbot/announce"
	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/internal/cache"
)

// How a lookup in a conversation's history is bounded.
const (
	// lookupPatience is how long lookups of one reminder may fail for
	// passing causes before it is posted unchecked: a reminder's day is
	// short, and a duplicate does less harm than none.
	lookupPatience = 10 * time.Minute
	// maxHistoryPages of 50 messages are read at most; a conversation
	// busier than that since the reminder's day is not searched further.
	maxHistoryPages = 4
	// markerPrefix starts the id of a reminder card's first element.
	markerPrefix = "cais-occ-"
	// graphSettle is how long after a post of unknown outcome a lookup
	// that does not find it is repeated before the reminder is posted.
	graphSettle = 30 * time.Second
)

// Find looks for the reminder among the conversation's recent messages
// through Microsoft Graph: a post from this app whose card carries the
// occurrence's marker. The Graph message id is the activity id Post
// returned.
//
// Where no lookup is possible for lasting reasons (a personal chat,
// local mode, consent not granted, the team unknown) Find answers "not
// found", so the reminder is posted, perhaps a second time: for a
// compliance team a duplicate reminder is a nuisance, a lost one a
// missed deadline. An error goes back to the scheduler, which retries
// with backoff, only for passing causes, and only for lookupPatience.
// Every unchecked post is counted ("unverified") and logged, at warning
// level once per conversation and cause.
func (p *Poster) Find(ctx context.Context, m announce.Message) (string, bool, error) {
	ref, found, err := p.ref(ctx, m)
	if err != nil {
		return "", false, err // the store: passing; the scheduler retries
	}
	if !found || ref.ServiceURL == "" {
		return "", false, nil // nothing to find; Post ends the subscription
	}
	id, found, err := p.search(ctx, m, ref)
	if err == nil && !found {
		id, found, err = p.searchAgain(ctx, m, ref)
	}
	switch {
	case err == nil:
		p.settled(m.ID)
		return id, found, nil
	case errors.Is(ctx.Err(), context.Canceled):
		return "", false, err // the run is stopping; its claim lapses
	case lasting(err):
		p.settled(m.ID)
		p.unchecked(m, ref, err)
		return "", false, nil
	}
	// Anything else, a call that outlived the scheduler's CallTimeout
	// included, may pass: Graph hanging must not cost the reminder.
	return p.passing(m, ref, err)
}

// search reads the conversation's history, newest first, back to the
// earliest moment the reminder can have been posted.
func (p *Poster) search(ctx context.Context, m announce.Message, ref ConversationRef) (string, bool, error) {
	u, err := p.historyURL(ctx, ref)
	if err != nil {
		return "", false, err
	}
	since, marker := earliestPost(m.Occurrence), markerPrefix+m.ID
	for range maxHistoryPages {
		page, err := p.graph.page(ctx, ref.Tenant, u)
		if err != nil {
			return "", false, err
		}
		for _, msg := range page.Value {
			if p.ours(msg, marker) {
				return msg.ID, true, nil
			}
		}
		if page.Next == "" || olderThan(page.Value, since) {
			return "", false, nil
		}
		u = page.Next
	}
	return "", false, &uncheckable{cause: "busy", detail: fmt.Sprintf("more than %d messages since the reminder's day; the older ones were not searched", maxHistoryPages*50)}
}

// searchAgain repeats a lookup that found nothing while the post of
// unknown outcome is recent: a message can show in Graph a little after
// the connector took it. If the call's deadline comes first, the
// scheduler is asked to look again later.
func (p *Poster) searchAgain(ctx context.Context, m announce.Message, ref ConversationRef) (string, bool, error) {
	wait := p.settleLeft(m.ID)
	if wait <= 0 {
		return "", false, nil
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) < wait+time.Second {
		return "", false, errSettling
	}
	select {
	case <-time.After(wait):
	case <-ctx.Done():
		return "", false, ctx.Err()
	}
	return p.search(ctx, m, ref)
}

// errSettling asks the scheduler to look again later.
var errSettling = errors.New("the earlier post may not show in Microsoft Graph yet; looking again before posting")

// postedMaybe notes a post whose outcome is unknown.
func (p *Poster) postedMaybe(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.uncertain) >= maxSaved {
		clear(p.uncertain)
	}
	p.uncertain[id] = time.Now()
}

// settleLeft is how long the absence of a post of unknown outcome is not
// yet trusted.
func (p *Poster) settleLeft(id string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.uncertain[id]
	if !ok {
		return 0
	}
	return time.Until(t.Add(p.settle))
}

// uncheckable is a lasting reason why a conversation's history cannot
// be read; cause names it in a word, for logs and de-duplication.
type uncheckable struct{ cause, detail string }

func (e *uncheckable) Error() string { return e.detail }

// historyURL is the first page of the conversation's history in Graph.
func (p *Poster) historyURL(ctx context.Context, ref ConversationRef) (string, error) {
	switch {
	case p.graph == nil:
		return "", &uncheckable{"local", "no MICROSOFT_APP_ID: caisbot has no credentials to read Microsoft Graph with"}
	case ref.Tenant == "":
		return "", &uncheckable{"tenant", "the conversation's tenant is not recorded"}
	}
	switch conversationKind(ref) {
	case "channel":
		group, err := p.teamGroup(ctx, ref)
		if err != nil {
			return "", err
		}
		return p.graph.channelMessages(group, ref.Conversation), nil
	case "groupChat":
		return p.graph.chatMessages(ref.Conversation), nil
	}
	return "", &uncheckable{"personal", "a personal chat: its id is not a Graph chat id, and resource-specific consent grants no access to it"}
}

// conversationKind is "channel", "groupChat" or "personal", from the
// saved type or, for references without one, the id's shape.
func conversationKind(ref ConversationRef) string {
	switch id := ref.Conversation; {
	case ref.Type == "channel" || ref.Type == "groupChat" || ref.Type == "personal":
		return ref.Type
	case strings.HasPrefix(id, "19:") && strings.HasSuffix(id, "@thread.v2"):
		return "groupChat"
	case strings.HasPrefix(id, "19:") && (strings.HasSuffix(id, "@thread.tacv2") || strings.HasSuffix(id, "@thread.skype")):
		return "channel"
	}
	return "personal"
}

// teamGroup is the Entra group id of a channel's team: saved with the
// reference, learned earlier, or asked of the connector (and kept).
func (p *Poster) teamGroup(ctx context.Context, ref ConversationRef) (string, error) {
	switch {
	case ref.AADGroup != "":
		return ref.AADGroup, nil
	case ref.Team == "":
		return "", &uncheckable{"team", "the channel's team is not recorded yet (the next message to caisbot in the channel records it)"}
	}
	group, err := p.conn.TeamGroup(ctx, ref.ServiceURL, ref.Team)
	if err != nil {
		return "", fmt.Errorf("team details from the connector: %w", err)
	}
	p.groups.put(ref.Team, group)
	return group, nil
}

// ours reports whether a message is this app's post carrying marker:
// another app's post with the same card is not.
func (p *Poster) ours(msg chatMessage, marker string) bool {
	if msg.From == nil || msg.From.Application == nil || !strings.EqualFold(msg.From.Application.ID, p.appID) {
		return false
	}
	for _, a := range msg.Attachments {
		if a.ContentType == CardContentType && a.Content != nil && strings.Contains(*a.Content, marker) && cardHasID(*a.Content, marker) {
			return true
		}
	}
	return false
}

// cardHasID reports whether some element of the card JSON has id: the
// JSON is parsed, not matched as text, since Teams may re-serialise it.
func cardHasID(content, id string) bool {
	var v any
	if json.Unmarshal([]byte(content), &v) != nil {
		return false
	}
	return hasID(v, id)
}

func hasID(v any, id string) bool {
	switch t := v.(type) {
	case map[string]any:
		if s, _ := t["id"].(string); s == id {
			return true
		}
		for _, c := range t {
			if hasID(c, id) {
				return true
			}
		}
	case []any:
		for _, c := range t {
			if hasID(c, id) {
				return true
			}
		}
	}
	return false
}

// earliestPost is the earliest instant a reminder for o can have been
// posted: the start of its sending day (the deadline less the lead) in
// the easternmost zone, UTC+14. Zero if the day is unreadable.
func earliestPost(o ledger.Occurrence) time.Time {
	d, err := time.Parse(time.DateOnly, o.Day)
	if err != nil {
		return time.Time{}
	}
	return d.AddDate(0, 0, -o.Lead).Add(-14 * time.Hour)
}

// olderThan reports whether every message of a page was created and
// last touched before since. Graph documents no order for a channel's
// messages (it may sort threads by their latest reply), so one old
// message on a page proves nothing; a page all before since does, if the
// list runs newest first by either time.
func olderThan(page []chatMessage, since time.Time) bool {
	if len(page) == 0 || since.IsZero() {
		return len(page) == 0
	}
	for _, m := range page {
		if m.Created.IsZero() || !m.Created.Before(since) || !m.Modified.Before(since) {
			return false
		}
	}
	return true
}

// lasting reports whether a lookup failure will repeat until someone
// changes something (consent, registration, configuration).
func lasting(err error) bool {
	var u *uncheckable
	var ge *GraphError
	var te *TokenError
	var ce *ConnectorError
	switch {
	case errors.As(err, &u):
		return true
	case errors.As(err, &ge):
		return clientError(ge.Status)
	case errors.As(err, &te):
		return clientError(te.Status)
	case errors.As(err, &ce):
		return clientError(ce.Status)
	}
	return false // network, timeouts, a garbled answer
}

// clientError is a 4xx other than 429 (408 is a timeout, so passing).
func clientError(status int) bool {
	return status/100 == 4 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout
}

// cause names a lasting failure in a word, for logs and de-duplication.
func cause(err error) string {
	var u *uncheckable
	var ge *GraphError
	var te *TokenError
	switch {
	case errors.As(err, &u):
		return u.cause
	case errors.As(err, &ge) && ge.Status == http.StatusForbidden:
		return "consent"
	case errors.As(err, &ge):
		return fmt.Sprintf("graph_%d", ge.Status)
	case errors.As(err, &te):
		return "token"
	}
	return "connector"
}

// hints tell an operator what to do about a lasting cause.
var hints = map[string]string{
	"consent": "grant the app's resource-specific consent: upload the current app package (deploy/teams) and update caisbot in the team or chat; a team owner or chat member approves the permissions",
	"token":   "the app cannot get a Microsoft Graph token in this tenant: check MICROSOFT_APP_ID/MICROSOFT_APP_PASSWORD and that the app is installed in the tenant",
	"team":    "any message to caisbot in the channel records its team",
	"busy":    "the conversation had too many messages since the reminder's day to search",
}

// unchecked records a reminder about to be posted without a history
// check: counted every time, logged as a warning once per conversation
// and cause (then at debug level), so an outage does not flood the log.
func (p *Poster) unchecked(m announce.Message, ref ConversationRef, err error) {
	if p.count != nil {
		p.count("unverified")
	}
	c := cause(err)
	attrs := []any{"firm", m.Occurrence.Firm, "conversation", ref.Conversation, "kind", conversationKind(ref),
		"occurrence", m.ID, "cause", c, "err", err.Error()}
	if h := hints[c]; h != "" {
		attrs = append(attrs, "hint", h)
	}
	msg := "Teams reminder posted without checking the conversation's history: if an earlier attempt landed, it appears twice"
	if p.notes.first(ref.Conversation + "\x00" + c) {
		p.log.Warn(msg+" (said once per conversation and cause; counted as caisbot_announcements_total{event=\"unverified\"})", attrs...)
		return
	}
	p.log.Debug(msg, attrs...)
}

// passing handles a failure that may clear: an error for the scheduler
// to retry (a 429 as such, so the tenant's posting pauses), until the
// reminder's lookups have failed for p.patience; then it is posted
// unchecked.
func (p *Poster) passing(m announce.Message, ref ConversationRef, err error) (string, bool, error) {
	if time.Since(p.firstFailure(m.ID)) < p.patience {
		var ge *GraphError
		if errors.As(err, &ge) && ge.Status == http.StatusTooManyRequests {
			return "", false, &announce.RateLimited{After: ge.RetryAfter}
		}
		return "", false, fmt.Errorf("looking for the reminder in the conversation's history: %w", err)
	}
	p.settled(m.ID)
	p.unchecked(m, ref, &uncheckable{"unavailable", fmt.Sprintf("lookups kept failing for %s: %v", p.patience, err)})
	return "", false, nil
}

// firstFailure returns when lookups of an occurrence began failing.
func (p *Poster) firstFailure(id string) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if _, ok := p.failing[id]; !ok && len(p.failing) >= maxSaved {
		for k, t := range p.failing { // entries another replica settled
			if now.Sub(t) > 24*time.Hour {
				delete(p.failing, k)
			}
		}
	}
	t, ok := p.failing[id]
	if !ok {
		t = now
		p.failing[id] = t
	}
	return t
}

func (p *Poster) settled(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.failing, id)
	delete(p.uncertain, id)
}

// notes remembers what was already said, so it is said once.
type notes struct{ seen cache.Map[string, bool] }

func (n *notes) first(key string) bool {
	said, _ := n.seen.Swap(key, true, savedLimit)
	return !said
}
