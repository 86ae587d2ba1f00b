package slackbot_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/announce"
	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/bot/slackbot"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/internal/slackfake"
	"github.com/caisbot/caisbot/store"
	"github.com/slack-go/slack"
)

var annNY, _ = time.LoadLocation("America/New_York")

func annAt(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, annNY)
	if err != nil {
		panic(err)
	}
	return t
}

func annPoster(t *testing.T, fake *slackfake.Server) *slackbot.Poster {
	t.Helper()
	p, err := slackbot.NewPoster(slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL())), "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func annMessage(channel string) announce.Message {
	f := &dialogs.Flow{Roadmap: dialogs.Default(), Loc: annNY}
	p := dialogs.Progress{Version: 4, Targets: map[string]string{"certify_self": "2027-06-05"}}
	d := f.Deadlines(p)[len(f.Deadlines(p))-1]
	o := ledger.Occurrence{Firm: slackFirm("T1"), Channel: channel, Deadline: d.ID, Day: "2027-06-05", Lead: 7}
	return announce.Message{Occurrence: o, Workspace: "T1", ID: o.ID(), Reply: f.AnnouncementReply(p, d, annAt("2027-05-29 09:00"))}
}

func TestPosterPostsWithMetadataAndFindsIt(t *testing.T) {
	fake := slackfake.New(t)
	p := annPoster(t, fake)
	m := annMessage("C1")
	ref, err := p.Post(context.Background(), m)
	if err != nil || ref == "" {
		t.Fatalf("Post = %q, %v", ref, err)
	}
	c := fake.Calls("chat.postMessage")[0]
	var meta slack.SlackMetadata
	if err := json.Unmarshal([]byte(c.Param("metadata")), &meta); err != nil || meta.EventType != slackbot.ReminderEvent || meta.EventPayload["id"] != m.ID {
		t.Fatalf("metadata %q (%v); want event %s with id %s", c.Param("metadata"), err, slackbot.ReminderEvent, m.ID)
	}
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(c.Param("blocks")), &blocks); err != nil {
		t.Fatal(err)
	}
	body := c.Param("blocks")
	if c.Param("channel") != "C1" || !strings.Contains(c.Param("text"), "7 days left") || !strings.Contains(body, "June 5, 2027") || !strings.Contains(body, `"c1|open||`) {
		t.Fatalf("posted channel %s text %q blocks %s", c.Param("channel"), c.Param("text"), body)
	}
	got, found, err := p.Find(context.Background(), m)
	if err != nil || !found || got != ref {
		t.Fatalf("Find = %q, %v, %v; want %q", got, found, err, ref)
	}
	if _, found, _ := p.Find(context.Background(), annMessage("C2")); found {
		t.Fatal("Find saw the post in another channel")
	}
	if !strings.Contains(fake.Calls("conversations.history")[0].Param("include_all_metadata"), "1") {
		t.Fatal("history was read without metadata")
	}
}

func TestPosterMapsSlackErrors(t *testing.T) {
	tests := []struct {
		name string
		fail slackfake.Failure
		want func(error) bool
	}{
		{"429 with Retry-After", slackfake.Failure{Status: http.StatusTooManyRequests, RetryAfter: "7"}, rateLimited(7 * time.Second)},
		{"429 without Retry-After", slackfake.Failure{Status: http.StatusTooManyRequests}, rateLimited(0)},
		{"ratelimited body", slackfake.Failure{Status: http.StatusOK, Error: "ratelimited"}, rateLimited(0)},
		{"not_in_channel", slackfake.Failure{Status: http.StatusOK, Error: "not_in_channel"}, gone("not_in_channel")},
		{"channel_not_found", slackfake.Failure{Status: http.StatusOK, Error: "channel_not_found"}, gone("channel_not_found")},
		{"is_archived", slackfake.Failure{Status: http.StatusOK, Error: "is_archived"}, gone("is_archived")},
		{"invalid_blocks", slackfake.Failure{Status: http.StatusOK, Error: "invalid_blocks"}, refused},
		{"500", slackfake.Failure{Status: http.StatusInternalServerError}, retryable},
		{"503", slackfake.Failure{Status: http.StatusServiceUnavailable}, retryable},
		{"invalid_auth", slackfake.Failure{Status: http.StatusOK, Error: "invalid_auth"}, retryable},
	}
	for _, tt := range tests {
		for _, call := range []string{"chat.postMessage", "conversations.history"} {
			fake := slackfake.New(t)
			p := annPoster(t, fake)
			fake.FailNext(call, tt.fail)
			var err error
			if call == "chat.postMessage" {
				_, err = p.Post(context.Background(), annMessage("C1"))
			} else {
				_, _, err = p.Find(context.Background(), annMessage("C1"))
			}
			if !tt.want(err) {
				t.Errorf("%s on %s: error %T %v", tt.name, call, err, err)
			}
		}
	}
}

func rateLimited(after time.Duration) func(error) bool {
	return func(err error) bool {
		var rl *announce.RateLimited
		return errors.As(err, &rl) && rl.After == after
	}
}

func gone(code string) func(error) bool {
	return func(err error) bool {
		var g *announce.Gone
		return errors.As(err, &g) && strings.Contains(g.Reason, code)
	}
}

func refused(err error) bool {
	var r *announce.Refused
	return errors.As(err, &r)
}

func retryable(err error) bool {
	var rl *announce.RateLimited
	var g *announce.Gone
	return err != nil && !errors.As(err, &rl) && !errors.As(err, &g) && !refused(err)
}

// annRig is the scheduler over (mini or real) Redis, posting through
// the Slack poster to the fake Web API.
type annRig struct {
	t    *testing.T
	st   *store.Redis
	svc  *dialogs.Service
	fake *slackfake.Server
}

func newAnnRig(t *testing.T) *annRig {
	t.Helper()
	c, prefix := redistest.New(t)
	st := store.New(c, prefix)
	svc := &dialogs.Service{Flow: &dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{"UADMIN"}, Loc: annNY}, Store: st, Now: time.Now}
	r := &annRig{t: t, st: st, svc: svc, fake: slackfake.New(t)}
	for _, text := range []string{"announce", "deadline 6 2027-06-05"} {
		if _, err := svc.Command(context.Background(), slackFirm("T1"), dialogs.Event{User: "UADMIN", Channel: "C1", At: annAt("2027-05-20 12:00")}, dialogs.ParseCommand(text)); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func (r *annRig) scheduler(p announce.Poster) *announce.Scheduler {
	r.t.Helper()
	s, err := announce.New(announce.Config{Service: r.svc, Firms: r.st, Ledger: r.st, Posters: announce.Posters{firm.Slack: p},
		Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

func (r *annRig) run(s *announce.Scheduler, ctx context.Context, when string) {
	r.t.Helper()
	if err := s.RunOnce(ctx, annAt(when)); err != nil && ctx.Err() == nil {
		r.t.Fatal(err)
	}
}

// wantOnePost checks that C1 holds exactly one reminder, and returns how
// many times chat.postMessage was called.
func (r *annRig) wantOnePost() int {
	r.t.Helper()
	if h := r.fake.History("C1"); len(h) != 1 || !strings.Contains(h[0].Text, "7 days left") {
		r.t.Fatalf("C1 history: %+v; want one reminder", h)
	}
	return len(r.fake.Calls("chat.postMessage"))
}

func TestSlackRetriesDeliverOnce(t *testing.T) {
	r := newAnnRig(t)
	r.fake.FailNext("chat.postMessage",
		slackfake.Failure{Status: http.StatusTooManyRequests, RetryAfter: "1"},
		slackfake.Failure{Status: http.StatusInternalServerError})
	s := r.scheduler(annPoster(t, r.fake))
	start := time.Now()
	r.run(s, context.Background(), "2027-05-29 09:00")
	if calls := r.wantOnePost(); calls != 3 {
		t.Fatalf("%d chat.postMessage calls; want 3 (429, 500, success)", calls)
	}
	posts := r.fake.Calls("chat.postMessage")
	if d := posts[1].At.Sub(posts[0].At); d < time.Second || time.Since(start) < time.Second {
		t.Fatalf("retried %s after a 429 with Retry-After: 1", d)
	}
	// After the 500 the post might exist: history is read before posting again.
	if h := r.fake.Calls("conversations.history"); len(h) != 1 || h[0].At.Before(posts[1].At) || h[0].At.After(posts[2].At) {
		t.Fatalf("history lookups %d; want one between the 500 and the retry", len(h))
	}
	if st := s.Stats(); st.Sent != 1 || st.RateLimited != 1 || st.Retries != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestSlackNotInChannelEndsSubscription(t *testing.T) {
	r := newAnnRig(t)
	r.fake.FailNext("chat.postMessage", slackfake.Failure{Status: http.StatusOK, Error: "not_in_channel"})
	r.run(r.scheduler(annPoster(t, r.fake)), context.Background(), "2027-05-29 09:00")
	ctx := context.Background()
	if p, _ := r.st.Load(ctx, slackFirm("T1")); len(p.Channels) != 0 {
		t.Fatalf("channels %v; want the subscription ended", p.Channels)
	}
	es, _ := r.st.Audit(ctx, slackFirm("T1"), -1, -1)
	if len(es) != 1 || es[0].Action != dialogs.ActAnnounceOff || es[0].User != dialogs.SystemUser || !strings.Contains(es[0].Detail, "not_in_channel") {
		t.Fatalf("last audit entry %+v", es)
	}
	r.run(r.scheduler(annPoster(t, r.fake)), ctx, "2027-06-04 09:00")
	if n := len(r.fake.Calls("chat.postMessage")); n != 1 {
		t.Fatalf("%d posts; want none after the end", n-1)
	}
}

// crashing dies (cancels its run) right after Slack accepted a post.
type crashing struct {
	*slackbot.Poster
	cancel context.CancelFunc
}

func (c crashing) Post(ctx context.Context, m announce.Message) (string, error) {
	_, err := c.Poster.Post(ctx, m)
	c.cancel()
	if err != nil {
		return "", err
	}
	return "", context.Canceled
}

func TestSlackCrashAfterPostNoDuplicate(t *testing.T) {
	r := newAnnRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	r.run(r.scheduler(crashing{annPoster(t, r.fake), cancel}), ctx, "2027-05-29 09:00")
	next := r.scheduler(annPoster(t, r.fake))
	r.run(next, context.Background(), "2027-05-29 09:05")
	if calls := r.wantOnePost(); calls != 1 {
		t.Fatalf("%d chat.postMessage calls; want the crashed one only", calls)
	}
	if st := next.Stats(); st.Recovered != 1 || st.Sent != 0 {
		t.Fatalf("stats %+v; want the post found in history", st)
	}
}

func TestSlackTwoReplicasOnePost(t *testing.T) {
	r := newAnnRig(t)
	var wg sync.WaitGroup
	for range 2 {
		s := r.scheduler(annPoster(t, r.fake))
		wg.Go(func() { r.run(s, context.Background(), "2027-05-29 09:00") })
	}
	wg.Wait()
	if calls := r.wantOnePost(); calls != 1 {
		t.Fatalf("%d chat.postMessage calls; want 1", calls)
	}
}

// slackFirm is the Slack firm whose key is key ("T1" or "T1:C1").
func slackFirm(key string) firm.ID {
	f, err := firm.Parse(firm.Slack, key)
	if err != nil {
		panic(err)
	}
	return f
}
