package teams

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/announce"
	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

func reminder(channel string) announce.Message {
	return announce.Message{Occurrence: ledger.Occurrence{Firm: teamsFirm(tenantID), Channel: channel, Deadline: "target:register", Day: "2026-12-01", Lead: 1},
		ID: "occ-1", Reply: dialogs.Notice("⏰ Due tomorrow: Step 2", "**Step 2** is due tomorrow.")}
}

func TestPosterPostsToTheSavedConversation(t *testing.T) {
	r := newRig(t)
	r.say(person("Uma One"), "help") // the bot learns the channel
	id, err := r.h.Poster().Post(context.Background(), reminder(channel))
	if err != nil || id == "" {
		t.Fatalf("Post = %q, %v", id, err)
	}
	last := r.bf.connectorCalls()[len(r.bf.connectorCalls())-1]
	// A channel post starts a new thread: the channel, not the thread the
	// bot was last addressed in.
	if last.Path != "/v3/conversations/"+channel+"/activities" || last.Auth != "Bearer bot-token-1" {
		t.Fatalf("reminder went to %s (auth %q)", last.Path, last.Auth)
	}
	if title(last.Card) != "⏰ Due tomorrow: Step 2" {
		t.Fatalf("reminder card %q", title(last.Card))
	}
}

func TestPosterErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		code   string
		check  func(error) bool
	}{
		{"rate limited", 429, "", func(err error) bool {
			var rl *announce.RateLimited
			return errors.As(err, &rl) && rl.After == 7*time.Second
		}},
		{"bot removed", 403, "BotNotInConversationRoster", func(err error) bool { var g *announce.Gone; return errors.As(err, &g) }},
		{"conversation deleted", 404, "ConversationNotFound", func(err error) bool { var g *announce.Gone; return errors.As(err, &g) }},
		{"bad card", 400, "BadArgument", func(err error) bool { var rf *announce.Refused; return errors.As(err, &rf) }},
		{"server error is retried", 502, "", func(err error) bool {
			var rl *announce.RateLimited
			var g *announce.Gone
			var rf *announce.Refused
			return err != nil && !errors.As(err, &rl) && !errors.As(err, &g) && !errors.As(err, &rf)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.say(person("Uma One"), "help")
			r.bf.retry = "7"
			r.bf.failNext(tc.code, tc.status)
			if _, err := r.h.Poster().Post(context.Background(), reminder(channel)); !tc.check(err) {
				t.Fatalf("error %v (%T)", err, err)
			}
		})
	}
}

func TestPosterWithoutReferenceIsGone(t *testing.T) {
	r := newRig(t)
	_, err := r.h.Poster().Post(context.Background(), reminder("19:never-seen@thread.tacv2"))
	var g *announce.Gone
	if !errors.As(err, &g) {
		t.Fatalf("error %v, want Gone", err)
	}
}

// Reminders reach a subscribed Teams channel through the scheduler's own
// exactly-once machinery: a second run posts nothing more.
func TestScheduledReminderReachesTeams(t *testing.T) {
	r := newRig(t)
	r.say(admin, "announce")
	r.say(admin, "deadline 2 2026-12-01")
	s, err := announce.New(announce.Config{Service: r.h.cfg.Service, Firms: r.store,
		Ledger: r.store, Posters: announce.Posters{firm.Teams: r.h.Poster()}})
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2026, 11, 30, 9, 0, 30, 0, ny)
	before := len(r.bf.Calls(http.MethodPost, "/v3/conversations/"+channel+"/activities"))
	for range 2 {
		if err := s.RunOnce(context.Background(), at); err != nil {
			t.Fatal(err)
		}
	}
	posts := r.bf.Calls(http.MethodPost, "/v3/conversations/"+channel+"/activities")[before:]
	var reminders []call
	for _, p := range posts {
		if !strings.Contains(p.Path, ";") && strings.HasSuffix(p.Path, channel+"/activities") {
			reminders = append(reminders, p)
		}
	}
	if len(reminders) != 1 || !strings.Contains(title(reminders[0].Card), "Step 2") {
		t.Fatalf("reminders %d (%v), want one about Step 2", len(reminders), reminders)
	}
}
