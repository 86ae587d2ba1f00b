package teams

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/announce"
	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

const (
	groupChat = "19:compliance-group@thread.v2"
	personal  = "a:1personal-chat"
	teamID    = "19:team@thread.tacv2"
)

// reminderDay is when the test reminders fall due: a firm target of
// 2026-12-01 (set by subscribe) is announced a day before, at 09:00 New
// York time.
var reminderDay = func() time.Time {
	ny, _ := time.LoadLocation("America/New_York")
	return time.Date(2026, 11, 30, 9, 0, 30, 0, ny)
}()

// graphRig is a rig with a fake Microsoft Graph, a poster whose events
// and logs are kept, in one conversation.
type graphRig struct {
	*rig
	g      *fakeGraph
	p      *Poster
	logs   *lockedBuffer
	mu     sync.Mutex
	events map[string]int
}

func newGraphRig(t *testing.T, conv string, mods ...func(*Config)) *graphRig {
	t.Helper()
	gr := &graphRig{logs: &lockedBuffer{}, events: map[string]int{}}
	gr.g = newFakeGraph(t, nil, reminderDay)
	base := func(c *Config) {
		c.GraphURL, c.LoginURL = gr.g.URL+"/graph/v1.0", gr.g.URL+"/login"
		c.Logger = slog.New(slog.NewTextHandler(gr.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
		c.Announced = func(e string) {
			gr.mu.Lock()
			defer gr.mu.Unlock()
			gr.events[e]++
		}
	}
	gr.rig = newRig(t, append([]func(*Config){base}, mods...)...)
	gr.g.bf = gr.bf
	gr.conv = conv
	if strings.HasSuffix(conv, "@thread.tacv2") {
		gr.team = &idName{ID: teamID, Name: "Compliance"}
	}
	gr.p = gr.h.Poster()
	gr.p.settle = 20 * time.Millisecond
	return gr
}

func (gr *graphRig) unverified() int {
	gr.mu.Lock()
	defer gr.mu.Unlock()
	return gr.events["unverified"]
}

// subscribe turns on reminders in the conversation, with a firm target
// that makes one reminder due on reminderDay.
func (gr *graphRig) subscribe() {
	gr.say(admin, "announce")
	gr.say(admin, "deadline 2 2026-12-01")
}

// run is one scheduler run on reminderDay with quick retries.
func (gr *graphRig) run(t *testing.T) announce.Stats {
	t.Helper()
	s, err := announce.New(announce.Config{Service: gr.h.cfg.Service, Firms: gr.store,
		Ledger: gr.store, Posters: announce.Posters{firm.Teams: gr.p}, Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, RateLimitWait: 10 * time.Millisecond,
		Limits: announce.Limits{Channel: 10 * time.Millisecond, Workspace: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RunOnce(context.Background(), reminderDay); err != nil {
		t.Fatal(err)
	}
	return s.Stats()
}

// reminders are the reminder posts stored in the conversation.
func (gr *graphRig) reminders() []call {
	var out []call
	for _, c := range gr.bf.Calls(http.MethodPost, "/v3/conversations/"+gr.conv+"/activities") {
		if c.ID != "" && c.Path == "/v3/conversations/"+gr.conv+"/activities" && len(c.Card.Body) > 0 && strings.HasPrefix(c.Card.Body[0].ID, markerPrefix) {
			out = append(out, c)
		}
	}
	return out
}

// warnings counts the log's warnings about unchecked reminders.
func (gr *graphRig) warnings() int {
	return strings.Count(gr.logs.String(), "level=WARN msg=\"Teams reminder posted without checking")
}

// Through the real scheduler, a reminder whose first post's outcome is
// unknown is looked up in Graph before it is posted again.
func TestRemindersExactlyOnceThroughGraph(t *testing.T) {
	landed := func(gr *graphRig) { gr.bf.loseNext(http.StatusBadGateway) }
	tests := []struct {
		name       string
		conv       string
		setup      func(*graphRig)
		posts      int    // reminder posts in the conversation after the run
		recovered  int64  // found in history
		unverified int    // posted without a check
		read       string // the first Graph read, "" for none
	}{
		{"channel, post landed: found, not posted again", channel, landed, 1, 1, 0,
			"/graph/v1.0/teams/aad-group-1/channels/" + channel + "/messages?$top=50"},
		{"group chat, post landed: found, not posted again", groupChat, landed, 1, 1, 0,
			"/graph/v1.0/chats/" + groupChat + "/messages?$top=50&$orderby=createdDateTime%20desc"},
		{"channel, post lost: not found, posted once", channel, func(gr *graphRig) { gr.bf.failNext("", http.StatusBadGateway) }, 1, 0, 0,
			"/graph/v1.0/teams/aad-group-1/channels/" + channel + "/messages?$top=50"},
		{"Graph slow to show the post: looked again, found, not posted again", channel, func(gr *graphRig) { landed(gr); gr.g.lagBehind(1) }, 1, 1, 0,
			"/graph/v1.0/teams/aad-group-1/channels/" + channel + "/messages?$top=50"},
		{"Graph failing briefly: retried, then found", channel, func(gr *graphRig) { landed(gr); gr.g.failNext(http.StatusServiceUnavailable) }, 1, 1, 0,
			"/graph/v1.0/teams/aad-group-1/channels/" + channel + "/messages?$top=50"},
		{"no consent (403): posted again rather than lost", channel, func(gr *graphRig) { landed(gr); gr.g.failAlways(http.StatusForbidden) }, 2, 0, 1,
			"/graph/v1.0/teams/aad-group-1/channels/" + channel + "/messages?$top=50"},
		{"Graph failing past patience: posted again rather than lost", channel, func(gr *graphRig) {
			landed(gr)
			gr.g.failAlways(http.StatusServiceUnavailable)
			gr.p.patience = 30 * time.Millisecond
		}, 2, 0, 1, "/graph/v1.0/teams/aad-group-1/channels/" + channel + "/messages?$top=50"},
		{"personal chat: no Graph id, posted again", personal, landed, 2, 0, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gr := newGraphRig(t, tc.conv)
			gr.subscribe()
			tc.setup(gr)
			st := gr.run(t)
			if n := len(gr.reminders()); n != tc.posts || st.Recovered != tc.recovered || gr.unverified() != tc.unverified {
				t.Fatalf("posts %d recovered %d unverified %d, want %d %d %d (stats %+v)\n%s",
					n, st.Recovered, gr.unverified(), tc.posts, tc.recovered, tc.unverified, st, gr.logs)
			}
			if st.Failed != 0 || st.Missed != 0 || st.Gone != 0 {
				t.Fatalf("a reminder was given up: %+v", st)
			}
			reads := gr.g.Calls("/graph/")
			switch {
			case tc.read == "" && len(reads) != 0:
				t.Fatalf("Graph read %d times, want none", len(reads))
			case tc.read != "" && (len(reads) == 0 || reads[0].Path+"?"+reads[0].Query != tc.read):
				t.Fatalf("Graph reads %v, want first %s", reads, tc.read)
			case tc.read != "" && reads[0].Auth != "Bearer graph-token-"+tenantID+"-1":
				t.Fatalf("Graph read with %q", reads[0].Auth)
			}
			if w := gr.warnings(); w != min(tc.unverified, 1) {
				t.Fatalf("%d warnings, want %d:\n%s", w, min(tc.unverified, 1), gr.logs)
			}
			// Every reminder card is valid and carries its occurrence.
			for _, c := range gr.reminders() {
				for _, content := range attachments(t, c.Raw) {
					if faults := validateCard(content); len(faults) != 0 {
						t.Fatalf("reminder card: %v", faults)
					}
				}
			}
		})
	}
}

// repliedToday is a thread started days ago that got a reply today.
func repliedToday(app string) map[string]any {
	m := graphMessage("old-thread", app, reminderDay.AddDate(0, 0, -3), []byte(`{"type":"AdaptiveCard"}`))
	m["lastModifiedDateTime"] = reminderDay.UTC().Format(time.RFC3339Nano)
	return m
}

// message is a reminder due in the rig's conversation for occurrence day.
func (gr *graphRig) message(day string) announce.Message {
	o := ledger.Occurrence{Firm: teamsFirm(tenantID), Channel: gr.conv, Deadline: "target:register", Day: day, Lead: 1}
	return announce.Message{Occurrence: o, ID: o.ID(), Reply: dialogs.Notice("⏰ Due tomorrow: Step 2", "**Step 2** is due tomorrow.")}
}

// ourCard is a reminder card as the poster renders it.
func ourCard(t *testing.T, m announce.Message) []byte {
	t.Helper()
	b, err := json.Marshal(Renderer{Command: "@caisbot"}.Reminder(m.Reply, m.ID).Attachments[0].Content)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Only this app's post with the occurrence's marker as an element id is
// taken for the reminder.
func TestFindRecognisesOnlyOurPost(t *testing.T) {
	gr := newGraphRig(t, channel)
	gr.say(admin, "help")
	m := gr.message("2026-12-01")
	other := gr.message("2026-12-02")
	asText := []byte(`{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlock","text":"` + markerPrefix + m.ID + `"}]}`)
	tests := []struct {
		name  string
		msg   map[string]any
		found bool
	}{
		{"another app's post with our card", graphMessage("other-1", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", reminderDay, ourCard(t, m)), false},
		{"our post of another occurrence", graphMessage("ours-2", testApp, reminderDay, ourCard(t, other)), false},
		{"our post naming the marker in text only", graphMessage("ours-3", testApp, reminderDay, asText), false},
		{"our post, app id in upper case", graphMessage("ours-4", strings.ToUpper(testApp), reminderDay, ourCard(t, m)), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gr.g.mu.Lock()
			gr.g.extra = map[string][]map[string]any{channel: {tc.msg}}
			gr.g.mu.Unlock()
			id, found, err := gr.p.Find(context.Background(), m)
			if err != nil || found != tc.found || (found && id != tc.msg["id"]) {
				t.Fatalf("Find = %q %v %v, want found %v", id, found, err, tc.found)
			}
		})
	}
	if gr.unverified() != 0 {
		t.Fatalf("%d unverified: every lookup here was a real one", gr.unverified())
	}
}

// Lookups page back through history to the reminder's sending day, and
// no further than maxHistoryPages.
func TestFindPagesThroughHistory(t *testing.T) {
	stranger := "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	filler := func(n int, at time.Time) []map[string]any {
		var out []map[string]any
		for range n {
			out = append(out, graphMessage("noise", stranger, at, []byte(`{"type":"AdaptiveCard"}`)))
		}
		return out
	}
	tests := []struct {
		name          string
		before        []map[string]any // messages newer than ours
		ours, found   bool
		reads         int
		unverified    int
		olderMessages bool
	}{
		{"ours on the second page", filler(3, reminderDay), true, true, 2, 0, false},
		{"not there: every page read", filler(5, reminderDay), false, false, 3, 0, false},
		{"older than the sending day: reading stops", filler(2, reminderDay.AddDate(0, 0, -3)), false, false, 1, 0, true},
		// Graph may list channel threads by their latest reply.
		{"an old thread replied to today: reading goes on", append([]map[string]any{repliedToday(stranger)}, filler(1, reminderDay.AddDate(0, 0, -3))...), true, true, 2, 0, false},
		{"busier than the pages read: posted unchecked", filler(2*maxHistoryPages+1, reminderDay), true, false, maxHistoryPages, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gr := newGraphRig(t, channel)
			gr.say(admin, "help")
			gr.g.page = 2
			m := gr.message("2026-12-01")
			msgs := tc.before
			if tc.ours {
				msgs = append(msgs, graphMessage("ours", testApp, reminderDay, ourCard(t, m)))
			}
			if tc.olderMessages {
				msgs = append(msgs, filler(4, reminderDay.AddDate(0, 0, -4))...)
			}
			gr.g.add(channel, msgs...)
			_, found, err := gr.p.Find(context.Background(), m)
			if reads := len(gr.g.Calls("/graph/")); err != nil || found != tc.found || reads != tc.reads || gr.unverified() != tc.unverified {
				t.Fatalf("found %v (%v) after %d reads, unverified %d; want %v after %d, %d", found, err, reads, gr.unverified(), tc.found, tc.reads, tc.unverified)
			}
		})
	}
}

// Where no lookup is possible for good, Find says "not found" (the
// reminder is posted: a duplicate at worst, never a lost one), counts
// it, and warns once per conversation and cause.
func TestFindWithoutLookupPostsAnyway(t *testing.T) {
	tests := []struct {
		name  string
		conv  string
		setup func(*graphRig)
		cause string
	}{
		{"local mode", channel, func(gr *graphRig) { gr.p.graph = nil }, "cause=local"},
		{"personal chat", personal, func(*graphRig) {}, "cause=personal"},
		{"consent not granted", channel, func(gr *graphRig) { gr.g.failAlways(http.StatusForbidden) }, "cause=consent"},
		{"team unknown to Graph", channel, func(gr *graphRig) { gr.g.group = "another-group" }, "cause=graph_404"},
		{"token refused", groupChat, func(gr *graphRig) { gr.g.refuse = true }, "cause=token"},
		{"team not recorded", channel, func(gr *graphRig) { gr.team = nil }, "cause=team"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gr := newGraphRig(t, tc.conv)
			tc.setup(gr)
			gr.say(admin, "help")
			for _, day := range []string{"2026-12-01", "2026-12-02", "2026-12-03"} {
				if id, found, err := gr.p.Find(context.Background(), gr.message(day)); id != "" || found || err != nil {
					t.Fatalf("Find = %q %v %v, want not found and no error", id, found, err)
				}
			}
			logs := gr.logs.String()
			if gr.unverified() != 3 || gr.warnings() != 1 || !strings.Contains(logs, tc.cause) {
				t.Fatalf("unverified %d, warnings %d (want 3, 1 with %s):\n%s", gr.unverified(), gr.warnings(), tc.cause, logs)
			}
			if strings.Contains(logs, "secret-password") || strings.Contains(logs, "graph-token") {
				t.Fatalf("a secret reached the log:\n%s", logs)
			}
		})
	}
}

// Passing failures go back to the scheduler: a 429 as RateLimited with
// Graph's Retry-After, a 5xx as a plain error to retry.
func TestFindPassingFailures(t *testing.T) {
	gr := newGraphRig(t, channel)
	gr.say(admin, "help")
	m := gr.message("2026-12-01")
	gr.g.failNext(http.StatusTooManyRequests, http.StatusBadGateway)
	_, _, err := gr.p.Find(context.Background(), m)
	var rl *announce.RateLimited
	if !errors.As(err, &rl) || rl.After != 3*time.Second {
		t.Fatalf("after 429: %v, want RateLimited after 3s", err)
	}
	_, _, err = gr.p.Find(context.Background(), m)
	var g *announce.Gone
	var rf *announce.Refused
	if err == nil || errors.As(err, &rl) || errors.As(err, &g) || errors.As(err, &rf) {
		t.Fatalf("after 502: %v (%T), want a plain error", err, err)
	}
	if _, found, err := gr.p.Find(context.Background(), m); err != nil || found || gr.unverified() != 0 {
		t.Fatalf("once Graph answers: %v %v, unverified %d", found, err, gr.unverified())
	}
	// Graph hanging past the scheduler's call timeout is a passing
	// failure too: past patience the reminder is posted, not lost.
	gr.g.mu.Lock()
	gr.g.delay = time.Second
	gr.g.mu.Unlock()
	gr.p.patience = 0
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, found, err := gr.p.Find(ctx, gr.message("2026-12-02")); err != nil || found || gr.unverified() != 1 || !strings.Contains(gr.logs.String(), "cause=unavailable") {
		t.Fatalf("Graph hanging: %v %v, unverified %d\n%s", found, err, gr.unverified(), gr.logs)
	}
}

// One Graph token per tenant, from that tenant (a multi-tenant app asks
// the firm's), for Graph's scope, reused until shortly before expiry.
func TestGraphTokenIsTheFirmsAndCached(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"multi-tenant", func(*Config) {}},
		{"single-tenant", func(c *Config) { c.AppType, c.TenantID = SingleTenant, tenantID }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gr := newGraphRig(t, groupChat, tc.mod)
			gr.say(admin, "help")
			for _, day := range []string{"2026-12-01", "2026-12-02", "2026-12-03"} {
				if _, _, err := gr.p.Find(context.Background(), gr.message(day)); err != nil {
					t.Fatal(err)
				}
			}
			tokens := gr.g.Calls("/login/")
			if len(tokens) != 1 || tokens[0].Path != "/login/"+tenantID+"/oauth2/v2.0/token" {
				t.Fatalf("token calls %v, want one from the firm's tenant", tokens)
			}
			f := tokens[0].Form
			if f.Get("scope") != GraphScope || f.Get("grant_type") != "client_credentials" || f.Get("client_id") != testApp {
				t.Fatalf("token request %v", f)
			}
			for _, c := range gr.g.Calls("/graph/") {
				if c.Auth != "Bearer graph-token-"+tenantID+"-1" {
					t.Fatalf("Graph read with %q", c.Auth)
				}
			}
		})
	}
}

// A team's group id is kept from the install event; without it the
// connector is asked once, and the answer kept.
func TestTeamGroupIsLearned(t *testing.T) {
	t.Run("from the install event", func(t *testing.T) {
		gr := newGraphRig(t, channel)
		gr.team = &idName{ID: teamID, AADGroupID: "aad-group-1"}
		install := gr.activity(admin, typeConvUpdate)
		install.Conversation.ID, install.MembersAdded = channel, []Account{{ID: botID}}
		gr.post(install)
		gr.team = &idName{ID: teamID} // later activities carry no group id
		gr.say(admin, "help")
		raw, _, _ := gr.dir.Conversation(context.Background(), channel)
		var ref ConversationRef
		if err := json.Unmarshal([]byte(raw), &ref); err != nil || ref.Team != teamID || ref.AADGroup != "aad-group-1" {
			t.Fatalf("saved reference %s (%v)", raw, err)
		}
		if _, _, err := gr.p.Find(context.Background(), gr.message("2026-12-01")); err != nil {
			t.Fatal(err)
		}
		if n := len(gr.bf.Calls(http.MethodGet, "/v3/teams/")); n != 0 {
			t.Fatalf("%d team lookups, want none", n)
		}
	})
	t.Run("from the connector, once", func(t *testing.T) {
		gr := newGraphRig(t, channel)
		gr.say(admin, "help")
		for _, day := range []string{"2026-12-01", "2026-12-02"} {
			if _, _, err := gr.p.Find(context.Background(), gr.message(day)); err != nil {
				t.Fatal(err)
			}
		}
		lookups := gr.bf.Calls(http.MethodGet, "/v3/teams/")
		if len(lookups) != 1 || lookups[0].Path != "/v3/teams/"+teamID || lookups[0].Auth != "Bearer bot-token-1" {
			t.Fatalf("team lookups %v, want one with the bot's token", lookups)
		}
		if reads := gr.g.Calls("/graph/v1.0/teams/aad-group-1/"); len(reads) != 2 {
			t.Fatalf("%d channel reads, want 2", len(reads))
		}
	})
}

// A nextLink that points away from Graph is not followed with the token.
func TestNextLinkStaysOnGraph(t *testing.T) {
	g := &graph{base: "https://graph.example/v1.0"}
	_, err := g.page(context.Background(), tenantID, "https://elsewhere.example/v1.0/chats/x/messages")
	if !lasting(err) {
		t.Fatalf("error %v, want a lasting refusal", err)
	}
}

// A miss soon after a post of unknown outcome is not trusted: with no
// time left in the call to look again, the scheduler is asked to retry;
// once the settle time has passed, the miss stands.
func TestFindDoesNotTrustAnEarlyMiss(t *testing.T) {
	gr := newGraphRig(t, channel)
	gr.say(admin, "help")
	m := gr.message("2026-12-01")
	gr.p.settle = time.Hour
	gr.p.postedMaybe(m.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, found, err := gr.p.Find(ctx, m); !errors.Is(err, errSettling) || found {
		t.Fatalf("early miss: found %v, err %v; want errSettling", found, err)
	}
	gr.p.settle = 0
	if _, found, err := gr.p.Find(context.Background(), m); err != nil || found || gr.unverified() != 0 {
		t.Fatalf("settled miss: found %v, err %v, unverified %d", found, err, gr.unverified())
	}
}
