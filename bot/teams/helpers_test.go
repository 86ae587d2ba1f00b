package teams

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
)

const (
	tenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	channel  = "19:compliance@thread.tacv2"
	botID    = "28:" + testApp
)

// person is a Teams user as activities name them.
func person(name string) Account {
	sum := sha256.Sum256([]byte(name))
	h := fmt.Sprintf("%x", sum[:16])
	aad := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	return Account{ID: "29:1" + name, Name: name, AADObjectID: aad}
}

var admin = person("Ada Admin")

// rig is the real handler over real (or mini) Redis, with a fake Bot
// Framework for keys, tokens and the connector.
type rig struct {
	t     testing.TB
	h     *Handler
	store *store.Redis
	dir   Directory // the adapter's records in store
	bf    *fakeBF
	srv   *httptest.Server
	clock atomic.Int64
	ids   atomic.Int64
	conv  string  // the conversation activities come from
	team  *idName // channelData.team of channel activities, if set
	scope firm.Scope
}

func newRig(t testing.TB, mods ...func(*Config)) *rig {
	t.Helper()
	rdb, prefix := redistest.New(t)
	return newRigOn(t, store.New(rdb, prefix), mods...)
}

// newRigOn is another process on the same store.
func newRigOn(t testing.TB, st *store.Redis, mods ...func(*Config)) *rig {
	t.Helper()
	r := &rig{t: t, store: st, dir: StoreDirectory(st.Directory(firm.Teams)), bf: newFakeBF(t), conv: channel}
	r.clock.Store(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC).Unix())
	loc, _ := time.LoadLocation("America/New_York")
	svc := &dialogs.Service{
		Flow:  &dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{CanonicalUser(admin.AADObjectID)}, Loc: loc},
		Store: r.store,
		Now:   func() time.Time { return time.Unix(r.clock.Add(60), 0) },
	}
	once, err := adapter.NewOnce(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{AppID: testApp, AppPassword: "secret-password", AppType: MultiTenant, Scope: "workspace",
		Service: svc, Store: r.dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Once: once,
		MetadataURL: r.bf.URL + "/openid", TokenURL: r.bf.URL + "/token/botframework.com"}
	for _, m := range mods {
		m(&cfg)
	}
	r.scope = cfg.Scope
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.h = h
	r.srv = httptest.NewServer(h)
	t.Cleanup(func() { r.srv.Close(); h.Wait() })
	return r
}

// activity is an activity from u in the rig's conversation.
func (r *rig) activity(u Account, typ string) *Activity {
	id := fmt.Sprintf("msg-%d", r.ids.Add(1))
	bot := Account{ID: botID, Name: "caisbot"}
	a := &Activity{Type: typ, ID: id, ServiceURL: r.bf.URL + "/", ChannelID: "msteams", From: &u, Recipient: &bot,
		Conversation: &Conversation{ID: r.conv, TenantID: tenantID, ConversationType: "channel", IsGroup: true},
		ChannelData:  &ChannelData{Tenant: &idName{ID: tenantID}}}
	switch {
	case strings.HasSuffix(r.conv, "@thread.v2"): // a group chat
		a.Conversation.ConversationType = "groupChat"
	case strings.HasPrefix(r.conv, "19:"):
		a.ChannelData.Channel = &idName{ID: r.conv}
		a.ChannelData.Team = r.team
		a.Conversation.ID = r.conv + ";messageid=1700000000001"
	default:
		a.Conversation.ConversationType, a.Conversation.IsGroup = "personal", false
	}
	return a
}

// post sends an activity with a valid channel token; it returns the
// status once every background send has finished.
func (r *rig) post(a *Activity) int {
	r.t.Helper()
	return r.postAuth(a, "Bearer "+channelToken(r.t, testApp, a.ServiceURL))
}

func (r *rig) postAuth(a *Activity, auth string) int {
	r.t.Helper()
	st := r.deliver(a, auth)
	r.h.Wait()
	return st
}

// deliver posts without waiting for background sends (concurrent use).
func (r *rig) deliver(a *Activity, auth string) int {
	r.t.Helper()
	b, _ := json.Marshal(a)
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/api/messages", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// posted is a card the bot put in the conversation, by activity id.
type posted struct {
	ID   string
	Card Card
}

// say types text as u (with an @mention in channels) and returns the
// bot's card in reply.
func (r *rig) say(u Account, text string) posted {
	r.t.Helper()
	a := r.activity(u, typeMessage)
	a.Text = text
	if !a.isPersonal() { // in a channel or group chat, people @mention caisbot
		a.Text = "<at>caisbot</at> " + text
		a.Entities = []Entity{{Type: "mention", Text: "<at>caisbot</at>", Mentioned: &Account{ID: botID, Name: "caisbot"}}}
	}
	mark := len(r.bf.connectorCalls())
	if st := r.post(a); st != http.StatusOK {
		r.t.Fatalf("say %q: status %d", text, st)
	}
	for _, c := range r.bf.connectorCalls()[mark:] {
		if c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/activities/"+a.ID) {
			return posted{ID: c.ID, Card: c.Card}
		}
	}
	r.t.Fatalf("no reply to %q among %d calls", text, len(r.bf.connectorCalls())-mark)
	return posted{}
}

// find returns the card action titled label, looking into the cards that
// Action.ShowCard opens too.
func find(t testing.TB, c Card, label string) CardAction {
	t.Helper()
	for _, a := range c.Actions {
		if a.Title == label {
			return a
		}
		if a.Card != nil {
			for _, in := range a.Card.Actions {
				if in.Title == label {
					return in
				}
			}
		}
	}
	t.Fatalf("no action %q in %s", label, cardString(c))
	return CardAction{}
}

// submit sends a card action's data (plus inputs) as u, as Teams does
// for Action.Submit, and returns what replaced or answered the card.
func (r *rig) submit(p posted, data map[string]string, u Account) posted {
	r.t.Helper()
	a := r.activity(u, typeMessage)
	a.ReplyToID = p.ID
	a.Value, _ = json.Marshal(data)
	mark := len(r.bf.connectorCalls())
	if st := r.post(a); st != http.StatusOK {
		r.t.Fatalf("submit: status %d", st)
	}
	for _, c := range r.bf.connectorCalls()[mark:] {
		if c.Method == http.MethodPut && strings.HasSuffix(c.Path, "/activities/"+p.ID) {
			return posted{ID: p.ID, Card: c.Card}
		}
		if c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/activities/"+p.ID) {
			return posted{ID: c.ID, Card: c.Card}
		}
	}
	r.t.Fatalf("nothing answered the click on %s", p.ID)
	return posted{}
}

// click presses the action labelled label on card p.
func (r *rig) click(p posted, label string, u Account) posted {
	r.t.Helper()
	return r.submit(p, find(r.t, p.Card, label).Data, u)
}

// form fills the form card p with input and submits it.
func (r *rig) form(p posted, input string, u Account) posted {
	r.t.Helper()
	data := map[string]string{}
	for k, v := range p.Card.Actions[0].Data {
		data[k] = v
	}
	data[inputID] = input
	return r.submit(p, data, u)
}

func (r *rig) firm() firm.ID {
	if r.scope == "channel" {
		return teamsFirm(tenantID + ":" + channel)
	}
	return teamsFirm(tenantID)
}

// teamsFirm is the Teams firm whose key is key: the tenant id, or
// "tenant:conversation" in channel scope.
func teamsFirm(key string) firm.ID {
	f, err := firm.Parse(firm.Teams, key)
	if err != nil {
		panic(err)
	}
	return f
}

func (r *rig) audit() int {
	r.t.Helper()
	e, err := r.store.Audit(context.Background(), r.firm(), 0, -1)
	if err != nil {
		r.t.Fatal(err)
	}
	return len(e)
}

// publicLines are the plain messages (no card) the bot posted.
func (r *rig) publicLines() []call {
	var out []call
	for _, c := range r.bf.connectorCalls() {
		if c.Method == http.MethodPost && c.Activity.Text != "" && len(c.Activity.Attachments) == 0 {
			out = append(out, c)
		}
	}
	return out
}

func title(c Card) string {
	if len(c.Body) == 0 {
		return ""
	}
	return c.Body[0].Text
}

// cardString flattens a card into the words a user would read.
func cardString(c Card) string {
	var b strings.Builder
	for _, e := range c.Body {
		b.WriteString(e.Text)
		for _, in := range e.Inlines {
			b.WriteString(in.Text)
		}
		if e.Type == inputText {
			fmt.Fprintf(&b, "[input %s: %s]", e.Label, e.Value)
		}
		b.WriteString("\n")
	}
	for _, a := range c.Actions {
		fmt.Fprintf(&b, "[%s|%s] ", a.Title, a.Style)
	}
	return strings.ReplaceAll(b.String(), zwsp, "")
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
