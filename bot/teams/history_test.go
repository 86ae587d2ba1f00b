package teams

import (
	"context"
	"encoding/json"
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
			// Below the least the scheduler's jittered retries take from
			// the first failed lookup to the last attempt (5+10+10 ms at
			// their quickest), so patience always runs out before the
			// attempts do (30 ms failed when the jitter ran short).
			gr.p.patience = 15 * time.Millisecond
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
