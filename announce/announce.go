// Package announce posts deadline reminders to subscribed channels: one
// post per (firm, channel, deadline, lead time), at 09:00 in the bot's
// zone, effectively once however many replicas run. It knows no chat
// platform: it posts through a Poster, so Teams can reuse it.
//
// How "once" holds: every replica plans every firm each tick. A replica
// posts in a workspace only while it holds that workspace's sender lock
// (so the workspace's budget holds across replicas), and each occurrence
// is claimed in the Ledger with a lease before it is posted and recorded
// as sent with the platform's message id after (claims and results go to
// Redis in batches, every workspace's together, one round trip per
// batch). A claim whose lease lapsed with no result (its sender died
// mid-post) is retaken only after looking for the post in the channel's
// history by the id carried in the message's metadata; so is any post
// retried after an answer that leaves it unknown whether the post was
// made (a 5xx, a timeout).
package announce

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// Message is one reminder to post.
type Message struct {
	Occurrence ledger.Occurrence
	Workspace  string
	// ID identifies the occurrence; the Poster must carry it in the
	// post (Slack: message metadata) so that Find can see it.
	ID    string
	Reply dialogs.Reply
}

// Posters maps each platform to the Poster that sends its firms'
// reminders. Firms of a platform with no Poster here are left alone: their
// reminders stay owed until a scheduler that can post them runs.
type Posters map[firm.Platform]Poster

// Poster sends reminders on one chat platform. Errors it returns are
// *RateLimited, *Gone, *Refused, or anything else for a failure that may
// have left a post behind (server errors, timeouts).
type Poster interface {
	// Post sends m to its channel and returns the platform's message id.
	Post(ctx context.Context, m Message) (ref string, err error)
	// Find looks through the channel's recent history for a post that
	// carries m.ID.
	Find(ctx context.Context, m Message) (ref string, found bool, err error)
}

// Ledger is the announcement bookkeeping (store.Redis implements it).
type Ledger interface {
	// Settle records results, then claims occurrences for token until
	// now+lease, in one round trip; recorded and claimed answer done and
	// claims in order.
	Settle(ctx context.Context, done []ledger.Settlement, claims []ledger.Occurrence, token string, now time.Time, lease time.Duration) (recorded, claimed []ledger.Claim, err error)
	// Skip records that o's day passed unsent and returns the state
	// before ("" or "claimed" only for the first caller; "held" while a
	// live claim may still be posting, changing nothing).
	Skip(ctx context.Context, o ledger.Occurrence, now time.Time) (string, error)
	// LockSenders takes or renews workspaces' sender locks in one round
	// trip; locked answers workspaces in order.
	LockSenders(ctx context.Context, workspaces []string, token string, now time.Time, lease time.Duration) (locked []bool, err error)
	UnlockSender(ctx context.Context, workspace, token string) error
}

// FirmStore lists every firm and reads firms' progress in batches
// (store.Redis implements it).
type FirmStore interface {
	Firms(ctx context.Context) ([]firm.ID, error)
	LoadMany(ctx context.Context, firms []firm.ID) ([]dialogs.Progress, error)
}

// Scheduler plans and sends reminders.
type Scheduler struct {
	cfg   Config
	log   *slog.Logger
	stats counters

	mu     sync.Mutex
	pacers map[Workspace]*pacer // kept across runs
	queued int                  // a run's budget of jobs (maxQueued; tests lower it)
	// done holds settled occurrences (by ledger.Occurrence.Sum, 16 bytes
	// each: one per channel reminded today) with their day, until it
	// passes.
	done  map[[16]byte]string
	days  map[string]string // the days done's values share (day)
	today string            // local date the cache was last pruned for
}

// New checks the configuration and fills its defaults.
func New(cfg Config) (*Scheduler, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	cfg.defaults()
	s := &Scheduler{cfg: cfg, log: cfg.Logger, pacers: map[Workspace]*pacer{}, done: map[[16]byte]string{}, queued: maxQueued}
	s.stats.observe = cfg.Observe
	return s, nil
}

// Run calls RunOnce every Interval (plus up to a quarter of it at random,
// so replicas drift apart) until ctx ends. A run lasts until its posts
// are sent, so runs never overlap within one Scheduler.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		if err := s.RunOnce(ctx, s.cfg.Now()); err != nil && ctx.Err() == nil {
			s.log.Error("announcement run failed; retrying next tick", "err", err)
		}
		wait := s.cfg.Interval + rand.N(s.cfg.Interval/4+1)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// RunOnce plans every firm as of now and sends what is due, returning
// when every workspace's posts are settled or ctx ends. Within the run
// time moves on from now with the real clock.
func (s *Scheduler) RunOnce(ctx context.Context, now time.Time) error {
	r := s.newRun(now)
	firms, err := s.cfg.Firms.Firms(ctx)
	if err != nil {
		return err
	}
	s.prune(r.today)
	jobs := make(chan *job, 256)
	r.trips = r.startTrips(ctx)
	go r.planAll(ctx, interleave(firms, s.postable), jobs)
	r.dispatch(ctx, jobs)
	r.trips.stop()
	return ctx.Err()
}

// Stats returns the counters so far.
func (s *Scheduler) Stats() Stats { return s.stats.snapshot() }

// interleave orders the firms keep accepts round-robin by workspace, so
// every workspace's first posts are planned early and all workspaces send
// in parallel from the start instead of waiting for the firms sorted
// before theirs. Workspaces take turns in the order they first appear.
//
// It runs before a run's first post, over every firm: so the firms are
// bucketed by workspace in one array (counted first) rather than
// appended to a slice per workspace, and filtered on the way rather than
// copied first.
func interleave(firms []firm.ID, keep func(firm.ID) bool) []firm.ID {
	index := map[Workspace]int32{}
	of := make([]int32, len(firms)) // each firm's workspace, -1 if left out
	var size []int32                // firms per workspace
	for i, f := range firms {
		if !keep(f) {
			of[i] = -1
			continue
		}
		w := WorkspaceOf(f)
		k, ok := index[w]
		if !ok {
			k = int32(len(size))
			index[w] = k
			size = append(size, 0)
		}
		of[i] = k
		size[k]++
	}
	start := make([]int32, len(size)+1)
	for k, n := range size {
		start[k+1] = start[k] + n
	}
	bucket := make([]firm.ID, start[len(size)])
	next := slices.Clone(start[:len(size)])
	for i, f := range firms {
		if k := of[i]; k >= 0 {
			bucket[next[k]] = f
			next[k]++
		}
	}
	out := make([]firm.ID, 0, len(bucket))
	turn := make([]int32, len(size)) // the workspaces with firms left, in order
	for k := range turn {
		turn[k] = int32(k)
	}
	for i := int32(0); len(turn) > 0; i++ {
		for _, k := range turn {
			out = append(out, bucket[start[k]+i])
		}
		turn = slices.DeleteFunc(turn, func(k int32) bool { return size[k] <= i+1 })
	}
	return out
}

// postable says whether f's platform has a Poster here.
func (s *Scheduler) postable(f firm.ID) bool { return s.cfg.Posters[f.Platform] != nil }

// Workspace is the unit a platform rate-limits posting in: a Slack team,
// a Teams tenant. Reminders are grouped and paced by it.
type Workspace struct {
	Platform firm.Platform
	ID       string
}

// WorkspaceOf is the workspace firm f posts in.
func WorkspaceOf(f firm.ID) Workspace { return Workspace{Platform: f.Platform, ID: f.Workspace} }

func (w Workspace) String() string { return string(w.Platform) + "/" + w.ID }

// isDone and markDone keep settled occurrences in memory so later ticks
// of the same day do not ask Redis about them again.
func (s *Scheduler) isDone(j *job) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.done[j.sum]
	return ok
}

func (s *Scheduler) markDone(j *job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done[j.sum] = s.day(j.occ.Day)
}

// prune forgets occurrences whose deadline has passed (they are never
// planned again) once per local day.
func (s *Scheduler) prune(today string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.today == today {
		return
	}
	s.today = today
	for k, day := range s.done {
		if day < today {
			delete(s.done, k)
		}
	}
	s.days = nil
}

// pacerFor returns the workspace's pacer; a run's worker is its only user.
func (s *Scheduler) pacerFor(workspace Workspace) *pacer {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pacers[workspace]
	if p == nil {
		p = newPacer(s.cfg.Limits)
		s.pacers[workspace] = p
	}
	return p
}

// day interns a day's text: the occurrences of a run share a few days.
func (s *Scheduler) day(d string) string {
	if s.days == nil {
		s.days = map[string]string{}
	}
	if v, ok := s.days[d]; ok {
		return v
	}
	s.days[d] = d
	return d
}
