package announce

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// limitedAPI is an in-process platform that enforces posting limits the
// way a token bucket does (GCRA): per workspace one post per wsGap, per
// channel one per chGap, each with a burst tolerance (Slack allows short
// bursts), and a Retry-After that blocks the whole workspace. A post that
// breaks a limit is a violation, answered 429 with the wait. It also
// answers a 429 of its own on chosen request numbers in every workspace,
// as Slack may whenever it likes. Posts are counted by occurrence id.
type limitedAPI struct {
	wsGap, chGap time.Duration

	retryAfter time.Duration // of the injected 429s
	inject     map[int]bool  // request numbers (per workspace) answered 429

	mu         sync.Mutex
	workspaces map[string]*fakeWorkspace
	posted     sync.Map // occurrence id → *atomic.Int64
	injected   atomic.Int64
	violations atomic.Int64
}

type fakeWorkspace struct {
	mu       sync.Mutex
	requests int
	accepted int
	tat      time.Time            // theoretical arrival time of the next post
	channels map[string]time.Time // per channel, likewise
	blocked  time.Time
	first    time.Time // first and last accepted posts
	last     time.Time
	injected int
}

func (a *limitedAPI) workspace(id string) *fakeWorkspace {
	a.mu.Lock()
	defer a.mu.Unlock()
	w := a.workspaces[id]
	if w == nil {
		w = &fakeWorkspace{channels: map[string]time.Time{}}
		a.workspaces[id] = w
	}
	return w
}

func (a *limitedAPI) Post(ctx context.Context, m Message) (string, error) {
	w := a.workspace(m.Workspace)
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	w.requests++
	if err := a.refuse(w, m.Occurrence.Channel, now); err != nil {
		return "", err
	}
	if w.first.IsZero() {
		w.first = now
	}
	w.accepted++
	w.last = now
	w.tat = later(w.tat, now).Add(a.wsGap)
	w.channels[m.Occurrence.Channel] = later(w.channels[m.Occurrence.Channel], now).Add(a.chGap)
	n, _ := a.posted.LoadOrStore(m.ID, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	return fmt.Sprintf("%d.%06d", now.Unix(), w.requests), nil
}

// refuse answers a 429 for a post that breaks a limit (a violation: the
// sender misjudged), or on an injected request number.
func (a *limitedAPI) refuse(w *fakeWorkspace, channel string, now time.Time) error {
	wait := max(w.blocked.Sub(now),
		w.tat.Add(-a.wsTolerance()).Sub(now),
		w.channels[channel].Add(-a.chTolerance()).Sub(now))
	if wait > 0 {
		a.violations.Add(1)
		return &RateLimited{After: wait}
	}
	if a.inject[w.requests] {
		a.injected.Add(1)
		w.injected++
		w.blocked = now.Add(a.retryAfter)
		return &RateLimited{After: a.retryAfter}
	}
	return nil
}

// The burst tolerances: the least time any sender needs for n posts in
// a workspace is (n-1)·wsGap minus wsTolerance.
func (a *limitedAPI) wsTolerance() time.Duration { return a.wsGap / 2 }
func (a *limitedAPI) chTolerance() time.Duration { return a.chGap / 10 }

func (a *limitedAPI) Find(ctx context.Context, m Message) (string, bool, error) {
	_, ok := a.posted.Load(m.ID)
	return "", ok, nil
}

// counts returns how many occurrences were posted, and how many of them
// more than once.
func (a *limitedAPI) counts() (posted, twice int) {
	a.posted.Range(func(_, v any) bool {
		posted++
		if v.(*atomic.Int64).Load() > 1 {
			twice++
		}
		return true
	})
	return posted, twice
}
