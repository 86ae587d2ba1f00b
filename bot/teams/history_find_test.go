package teams

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/announce"
)

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
