package announce

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// occ7 is the 7-day reminder of F1's June 5 target in channel.
func occ7(firm, channel string) ledger.Occurrence {
	return ledger.Occurrence{Firm: slackFirm(firm), Channel: channel, Deadline: "target:certify_self", Day: "2027-06-05", Lead: 7}
}

func TestPostsTheReminder(t *testing.T) {
	r := newRig(t)
	r.firm("T1", "2027-05-20 12:00", "2027-06-05", "C1")
	s := r.scheduler(r.fake)
	r.runOnce(s, "2027-05-29 08:59")
	r.wantPosts(0)
	r.runOnce(s, "2027-05-29 09:00")
	p := r.wantPosts(1)[0]
	if p.Msg.Occurrence != occ7("T1", "C1") || p.Msg.ID != p.Msg.Occurrence.ID() || p.Msg.Workspace != "T1" {
		t.Fatalf("posted %+v", p.Msg)
	}
	text := p.Msg.Reply.Title + " " + p.Msg.Reply.Parts[0].Text
	if !strings.Contains(text, "June 5, 2027") || !strings.Contains(text, "7 days left") || len(p.Msg.Reply.Actions) != 1 {
		t.Fatalf("reply %q, actions %v", text, p.Msg.Reply.Actions)
	}
	if st, ref := r.state(p.Msg.Occurrence); st != ledger.StateSent || ref != p.Ref {
		t.Fatalf("recorded %s %s; want sent %s", st, ref, p.Ref)
	}
	r.runOnce(s, "2027-05-29 09:01")
	r.runOnce(r.scheduler(r.fake), "2027-05-29 17:00") // a fresh replica
	r.wantPosts(1)
	if st := s.Stats(); st.Sent != 1 || st.Skipped != 1 {
		t.Fatalf("stats %+v; want 1 sent, and 1 skipped (the 14-day reminder, due before any run)", st)
	}
}

func TestTwoSchedulersOnePost(t *testing.T) {
	r := newRig(t)
	for i := range 10 {
		r.firm("T1:F"+string(rune('A'+i)), "2027-05-20 12:00", "2027-06-05", "C1", "C2")
	}
	a, b := r.scheduler(r.fake), r.scheduler(r.fake)
	for _, when := range []string{"2027-05-29 09:00", "2027-05-29 09:00", "2027-05-29 09:30"} {
		var wg sync.WaitGroup
		for _, s := range []*Scheduler{a, b} {
			wg.Go(func() { r.runOnce(s, when) })
		}
		wg.Wait()
	}
	r.wantPosts(20)
	if sa, sb := a.Stats(), b.Stats(); sa.Sent+sb.Sent != 20 || sa.Duplicates+sb.Duplicates != 0 {
		t.Fatalf("stats %+v / %+v", sa, sb)
	}
}

// crashAfter makes a replica die at a chosen point of a post: the run's
// context ends and the call returns, so nothing more is recorded, as
// when the process is killed.
type crashAfter struct {
	inner  Poster
	cancel context.CancelFunc
	accept bool // crash after the platform accepted the post, or before
}

func (c *crashAfter) Post(ctx context.Context, m Message) (string, error) {
	if c.accept {
		if _, err := c.inner.Post(ctx, m); err != nil {
			return "", err
		}
	}
	c.cancel()
	return "", context.Canceled
}

func (c *crashAfter) Find(ctx context.Context, m Message) (string, bool, error) {
	return c.inner.Find(ctx, m)
}

func TestCrashMidSend(t *testing.T) {
	tests := []struct {
		name      string
		accepted  bool
		wantPosts int
		recovered int64
	}{
		{"after the platform accepted", true, 1, 1},
		{"before the post left", false, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.firm("T1", "2027-05-20 12:00", "2027-06-05", "C1")
			ctx, cancel := context.WithCancel(context.Background())
			dying := r.scheduler(&crashAfter{inner: r.fake, cancel: cancel, accept: tt.accepted})
			_ = dying.RunOnce(ctx, ny("2027-05-29 09:00"))
			if st, _ := r.state(occ7("T1", "C1")); st != ledger.StateClaimed {
				t.Fatalf("after the crash the record is %q; want claimed", st)
			}
			next := r.scheduler(r.fake)
			r.runOnce(next, "2027-05-29 09:01") // the lease (2 min) still holds
			r.wantPosts(int(tt.recovered))
			r.runOnce(next, "2027-05-29 09:03")
			posts := r.wantPosts(tt.wantPosts)
			if st, ref := r.state(occ7("T1", "C1")); st != ledger.StateSent || ref != posts[0].Ref {
				t.Fatalf("recorded %s %s; want sent %s", st, ref, posts[0].Ref)
			}
			if got := next.Stats(); got.Recovered != tt.recovered || got.Sent != 1-tt.recovered {
				t.Fatalf("stats %+v", got)
			}
		})
	}
}

func TestFailuresAreRetriedAndDeliveredOnce(t *testing.T) {
	tests := []struct {
		name           string
		failPost       []error
		acceptThenFail []error
		failFind       []error
		wantFinds      int
		stats          Stats
	}{
		{"429 then success", []error{&RateLimited{After: 20 * time.Millisecond}}, nil, nil, 0, Stats{Sent: 1, RateLimited: 1}},
		{"429 without Retry-After", []error{&RateLimited{}}, nil, nil, 0, Stats{Sent: 1, RateLimited: 1}},
		{"server errors", []error{errServer, errServer}, nil, nil, 2, Stats{Sent: 1, Retries: 2}},
		{"posted, answer lost", nil, []error{errServer}, nil, 1, Stats{Recovered: 1, Retries: 1}},
		{"history unreadable for a while", []error{errServer}, nil, []error{errServer}, 2, Stats{Sent: 1, Retries: 2}},
		{"mixed", []error{&RateLimited{After: 10 * time.Millisecond}, errServer, &RateLimited{After: 10 * time.Millisecond}}, nil, nil, 1, Stats{Sent: 1, Retries: 1, RateLimited: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.firm("T1", "2027-05-29 08:00", "2027-06-05", "C1")
			r.fake.failPost, r.fake.acceptThenFail, r.fake.failFind = tt.failPost, tt.acceptThenFail, tt.failFind
			s := r.scheduler(r.fake, func(c *Config) { c.RateLimitWait = 10 * time.Millisecond })
			r.runOnce(s, "2027-05-29 09:00")
			r.wantPosts(1)
			if got := s.Stats(); got != tt.stats || r.fake.finds != tt.wantFinds {
				t.Fatalf("stats %+v, %d history lookups; want %+v, %d", got, r.fake.finds, tt.stats, tt.wantFinds)
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	r := newRig(t)
	r.firm("T1", "2027-05-29 08:00", "2027-06-05", "C1", "C2")
	r.fake.failPost = []error{&RateLimited{After: 300 * time.Millisecond}}
	var mu sync.Mutex
	events := map[string]int{}
	s := r.scheduler(r.fake, func(c *Config) {
		c.Observe = func(e string) { mu.Lock(); events[e]++; mu.Unlock() }
	})
	start := time.Now()
	r.runOnce(s, "2027-05-29 09:00")
	posts := r.wantPosts(2)
	// The wait holds the whole workspace, the other channel included.
	for _, p := range posts {
		if d := p.At.Sub(start); d < 300*time.Millisecond {
			t.Errorf("%s posted %s after a 429 asking for 300ms", p.Msg.Occurrence.Channel, d)
		}
	}
	if events["rate_limited"] != 1 || events["sent"] != 2 || len(events) != 2 {
		t.Errorf("observed %v; want rate_limited 1, sent 2", events)
	}
}

func TestGivesUpAfterTheLastRetryThenRetriesLater(t *testing.T) {
	r := newRig(t)
	r.firm("T1", "2027-05-29 08:00", "2027-06-05", "C1")
	r.fake.failPost = []error{errServer, errServer, errServer}
	s := r.scheduler(r.fake, func(c *Config) { c.Attempts = 3 })
	r.runOnce(s, "2027-05-29 09:00")
	r.wantPosts(0)
	if got := s.Stats(); got.Failed != 1 || got.Retries != 2 {
		t.Fatalf("stats %+v; want the give-up counted", got)
	}
	r.runOnce(s, "2027-05-29 09:01") // the claim has not lapsed
	r.wantPosts(0)
	r.runOnce(s, "2027-05-29 09:03")
	r.wantPosts(1)
	if r.fake.finds != 3 {
		t.Fatalf("%d history lookups; want one before each post after an uncertain failure", r.fake.finds)
	}
}

func TestChannelGoneEndsSubscription(t *testing.T) {
	r := newRig(t)
	r.firm("T1", "2027-05-29 08:00", "2027-06-05", "C1", "C2")
	r.cmd("T1", "C1", "2027-05-29 08:00", "deadline 2 2027-06-05")
	reason := "Slack answered not_in_channel: caisbot is no longer a member of the channel"
	r.fake.failPost = []error{&Gone{Reason: reason}}
	s := r.scheduler(r.fake)
	r.runOnce(s, "2027-05-29 09:00")
	for _, p := range r.wantPosts(2) {
		if p.Msg.Occurrence.Channel != "C2" {
			t.Errorf("posted to %s after it refused posts", p.Msg.Occurrence.Channel)
		}
	}
	p, _ := r.svc.Progress(context.Background(), slackFirm("T1"))
	if _, on := p.Channels["C1"]; on || len(p.Channels) != 1 {
		t.Fatalf("channels %v; want C1's subscription ended", p.Channels)
	}
	es, _ := r.store.Audit(context.Background(), slackFirm("T1"), -1, -1)
	if len(es) != 1 || es[0].Action != dialogs.ActAnnounceOff || es[0].User != dialogs.SystemUser || !strings.Contains(es[0].Detail, reason) {
		t.Fatalf("last audit entry %+v; want the end, by caisbot, with the reason", es)
	}
	if got := s.Stats(); got.Gone != 1 || got.Sent != 2 {
		t.Fatalf("stats %+v", got)
	}
}

func TestRefusedPostIsNotRetried(t *testing.T) {
	r := newRig(t)
	r.firm("T1", "2027-05-29 08:00", "2027-06-05", "C1")
	r.fake.failPost = []error{&Refused{Reason: "invalid_blocks"}}
	s := r.scheduler(r.fake)
	r.runOnce(s, "2027-05-29 09:00")
	r.runOnce(s, "2027-05-29 09:10")
	r.wantPosts(0)
	if st, _ := r.state(occ7("T1", "C1")); st != ledger.StateFailed || s.Stats().Failed != 1 {
		t.Fatalf("state %s, stats %+v; want failed, counted", st, s.Stats())
	}
}

func TestMissedReminders(t *testing.T) {
	r := newRig(t)
	r.firm("T1", "2027-05-01 12:00", "2027-06-05", "C1")
	s := r.scheduler(r.fake)
	// The bot was down from before May 6 until 15:00 on May 29.
	r.runOnce(s, "2027-05-29 15:00")
	if p := r.wantPosts(1)[0]; p.Msg.Occurrence.Lead != 7 {
		t.Fatalf("posted lead %d; want today's (7)", p.Msg.Occurrence.Lead)
	}
	for _, lead := range []int{30, 14} {
		o := occ7("T1", "C1")
		o.Lead = lead
		if st, _ := r.state(o); st != ledger.StateSkipped {
			t.Errorf("lead %d recorded %q; want skipped", lead, st)
		}
	}
	r.runOnce(r.scheduler(r.fake), "2027-05-29 16:00")
	r.runOnce(s, "2027-05-30 09:00")
	if got := s.Stats(); got.Skipped != 2 {
		t.Fatalf("stats %+v; want the two missed reminders logged once", got)
	}
	r.wantPosts(1)
}

func TestNothingOwed(t *testing.T) {
	tests := []struct {
		name, subscribed, target, current, now string
	}{
		{"lead fell before the subscription", "2027-05-29 10:00", "2027-06-05", "", "2027-05-29 10:05"},
		{"seed dates only", "2027-01-01 12:00", "", "", "2027-05-29 09:00"},
		{"step finished", "2027-05-01 12:00", "2027-06-05", "complete", "2027-05-29 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.firm("T1", tt.subscribed, tt.target, "C1")
			if tt.current != "" {
				r.finish("T1", tt.current)
			}
			s := r.scheduler(r.fake)
			for _, when := range []string{tt.now, "2027-05-31 09:00", "2027-06-04 09:00", "2027-06-05 09:00"} {
				r.runOnce(s, when)
			}
			want := 0
			if tt.name == "lead fell before the subscription" {
				want = 2 // the 1-day and on-the-day reminders are still owed
			}
			r.wantPosts(want)
		})
	}
}

// finish moves the firm to outcome current, as if it had walked there.
func (r *rig) finish(firm, current string) {
	r.t.Helper()
	ctx := context.Background()
	p, _ := r.store.Load(ctx, slackFirm(firm))
	next := p.Clone()
	next.Version, next.Current = p.Version+1, current
	e := dialogs.Entry{At: ny("2027-05-01 13:00"), User: admin, Action: dialogs.ActConfirm, Step: "certify_self", Choice: "done", Version: next.Version}
	e.Seal(p.Seq, p.Head)
	next.Seq, next.Head = e.Seq, e.Hash
	if err := r.store.Commit(ctx, slackFirm(firm), p.Version, next, e); err != nil {
		r.t.Fatal(err)
	}
}

func TestDaylightSavingDays(t *testing.T) {
	tests := []struct {
		name, target, before, at string
	}{
		{"spring forward, 7 days before", "2027-03-21", "2027-03-14 08:59", "2027-03-14 09:00"},
		{"spring forward, on the day", "2027-03-14", "2027-03-14 08:59", "2027-03-14 09:00"},
		{"fall back, 1 day before", "2027-11-08", "2027-11-07 08:59", "2027-11-07 09:00"},
		{"fall back, on the day", "2027-11-07", "2027-11-07 08:59", "2027-11-07 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.firm("T1", "2027-03-13 20:00", tt.target, "C1")
			s := r.scheduler(r.fake)
			r.runOnce(s, tt.before)
			r.wantPosts(0)
			r.runOnce(s, tt.at)
			p := r.wantPosts(1)[0]
			if day, _ := time.ParseInLocation(time.DateOnly, tt.target, nyc); SendTime(day, p.Msg.Occurrence.Lead, nyc) != ny(tt.at) {
				t.Fatalf("posted lead %d at %s", p.Msg.Occurrence.Lead, tt.at)
			}
		})
	}
}

func TestPostsKeepTheirSpacing(t *testing.T) {
	r := newRig(t)
	r.firm("T1", "2027-05-29 08:00", "2027-06-05", "C1", "C2", "C3")
	r.cmd("T1", "C1", "2027-05-29 08:00", "deadline 2 2027-06-05")
	lim := Limits{Channel: 150 * time.Millisecond, Workspace: 20 * time.Millisecond}
	s := r.scheduler(r.fake, func(c *Config) { c.Limits = lim })
	r.runOnce(s, "2027-05-29 09:00")
	posts := r.wantPosts(6)
	last := map[string]time.Time{}
	for i, p := range posts {
		ch := p.Msg.Occurrence.Channel
		// The workspace pace is a bucket with a quarter-gap burst: never
		// closer than 3/4 of a gap, never more than one per gap overall.
		if i > 0 && (p.At.Sub(posts[i-1].At) < lim.Workspace*3/4 || p.At.Sub(posts[0].At) < time.Duration(i)*lim.Workspace-lim.Workspace/4) {
			t.Errorf("post %d came %s after the one before, %s after the first; workspace spacing is %s", i, p.At.Sub(posts[i-1].At), p.At.Sub(posts[0].At), lim.Workspace)
		}
		if prev, ok := last[ch]; ok && p.At.Sub(prev) < lim.Channel {
			t.Errorf("%s got two posts %s apart; channel spacing is %s", ch, p.At.Sub(prev), lim.Channel)
		}
		last[ch] = p.At
	}
	// Three channels alternate instead of one waiting out its spacing (an
	// order, not a duration: a loaded machine may be slow, never out of turn).
	for i := 1; i < len(posts); i++ {
		if posts[i].Msg.Occurrence.Channel == posts[i-1].Msg.Occurrence.Channel {
			t.Errorf("posts %d and %d both went to %s while other channels were owed one", i-1, i, posts[i].Msg.Occurrence.Channel)
		}
	}
}

func TestRunUntilCancelled(t *testing.T) {
	r := newRig(t)
	r.firm("T1", "2027-05-29 08:00", "2027-06-05", "C1")
	ctx, cancel := context.WithCancel(context.Background())
	s := r.scheduler(r.fake, func(c *Config) {
		c.Interval = 5 * time.Millisecond
		c.Now = func() time.Time { return ny("2027-05-29 09:00") }
	})
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(r.fake.sent()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond) // a few more ticks
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	r.wantPosts(1)
}

func TestNewRefusesMissingDependencies(t *testing.T) {
	r := newRig(t)
	for _, cfg := range []Config{
		{Firms: r.store, Ledger: r.store, Posters: Posters{firm.Slack: r.fake}},
		{Service: r.svc, Ledger: r.store, Posters: Posters{firm.Slack: r.fake}},
		{Service: r.svc, Firms: r.store, Posters: Posters{firm.Slack: r.fake}},
		{Service: r.svc, Firms: r.store, Ledger: r.store},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a missing dependency", cfg)
		}
	}
}
