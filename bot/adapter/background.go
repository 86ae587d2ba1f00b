package adapter

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Background runs work after a response has gone, and lets shutdown wait.
//
// It is bounded, so that a platform that hangs cannot make memory grow
// without end (every hanging call holds a goroutine, a connection and
// its message): at most Limit tasks run at once, at most PerKey of them
// for one key (a workspace, WithKey), and at most Waiting wait per key
// (WaitingTotal in all) for a slot, in order. A task beyond that is shed:
// not run, logged and counted (OnShed). A task submitted with Latest
// replaces a waiting task for the same target (a newer Home tab or card
// makes the older one pointless) instead of queueing behind it.
type Background struct {
	wg sync.WaitGroup
	// Timeout bounds each task once it runs; the request's own deadline
	// no longer applies.
	Timeout time.Duration
	// Log is the fallback logger for failures outside a request.
	Log *slog.Logger
	// The bounds (defaults: DefaultLimit etc.).
	Limit, PerKey, Waiting, WaitingTotal int
	// OnShed, if set, counts a task that was not run, by name and why
	// ("full": over the bounds; "superseded": a newer one replaced it).
	OnShed func(name, why string)

	mu      sync.Mutex
	running int
	waiting int
	lanes   map[string]*lane
	closed  bool               // Drain gave up: shed whatever comes
	base    context.Context    // canceled when Drain gives up
	abandon context.CancelFunc // cancels base
	idle    chan *task         // hands a task to a worker waiting for one
}

// Default bounds: with every call hanging for its whole timeout, the
// running tasks hold a few MiB and the waiting ones (each a closure with
// its message) a few tens of MiB at most.
const (
	DefaultLimit        = 256
	DefaultPerKey       = 32
	DefaultWaiting      = 256
	DefaultWaitingTotal = 4096
)

// lane is one key's running count and queue.
type lane struct {
	running int
	queue   []*task
}

type task struct {
	ctx             context.Context
	what, name, key string
	target          string // Latest's target; "" for a task that must run
	f               func(ctx context.Context) error
}

type keyCtx struct{}

// WithKey tags ctx with the key (the workspace) whose bound the
// background tasks started under it share.
func WithKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyCtx{}, key)
}

func keyOf(ctx context.Context) string {
	k, _ := ctx.Value(keyCtx{}).(string)
	return k
}

// Go runs f with its own deadline but the request's logger, logging its
// error as "what failed"; it waits for a slot if the bounds are reached,
// and is shed if even the queue is full.
func (b *Background) Go(ctx context.Context, what, name string, f func(ctx context.Context) error) {
	b.submit(&task{ctx: ctx, what: what, name: name, key: keyOf(ctx), f: f})
}

// Latest is Go for an update of target (a user's Home tab, a card) that a
// later update of the same target makes pointless: a waiting one is
// replaced rather than kept.
func (b *Background) Latest(ctx context.Context, what, name, target string, f func(ctx context.Context) error) {
	b.submit(&task{ctx: ctx, what: what, name: name, key: keyOf(ctx), target: target, f: f})
}

func (b *Background) submit(t *task) {
	b.mu.Lock()
	l := b.lane(t.key)
	switch {
	case b.closed:
		b.mu.Unlock()
		b.shed(t, "shutdown")
		return
	case b.running < b.bound(b.Limit, DefaultLimit) && l.running < b.bound(b.PerKey, DefaultPerKey):
		b.start(l, t)
	case b.replace(l, t):
	case len(l.queue) < b.bound(b.Waiting, DefaultWaiting) && b.waiting < b.bound(b.WaitingTotal, DefaultWaitingTotal):
		l.queue = append(l.queue, t)
		b.waiting++
	default:
		b.mu.Unlock()
		b.shed(t, "full")
		return
	}
	b.mu.Unlock()
}

// replace puts t in the place of a waiting task for the same target.
func (b *Background) replace(l *lane, t *task) bool {
	if t.target == "" {
		return false
	}
	for i, old := range l.queue {
		if old.target == t.target {
			l.queue[i] = t
			b.shed(old, "superseded") // logs and counts only: safe under b.mu
			return true
		}
	}
	return false
}

func (b *Background) bound(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func (b *Background) lane(key string) *lane {
	if b.lanes == nil {
		b.lanes = map[string]*lane{}
	}
	l := b.lanes[key]
	if l == nil {
		l = &lane{}
		b.lanes[key] = l
	}
	return l
}

// start runs t (b.mu held).
func (b *Background) start(l *lane, t *task) {
	b.claim(l)
	select {
	case b.idle <- t: // a worker waiting for work takes it
	default:
		go b.work(t)
	}
}

// claim counts a task about to run in l (b.mu held).
func (b *Background) claim(l *lane) {
	if b.base == nil {
		b.base, b.abandon = context.WithCancel(context.Background())
		b.idle = make(chan *task)
	}
	b.running++
	l.running++
	b.wg.Add(1)
}

// workerIdle is how long a worker waits for another task before it ends.
const workerIdle = 10 * time.Second

// work runs t, then the tasks that wait for a slot or are handed to it,
// until it has been idle for workerIdle. A worker keeps the stack its
// sends grew; a goroutine per task would grow (copy) a new one each time.
func (b *Background) work(t *task) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		for t != nil {
			b.run(t)
			next := b.finished(t.key) // counted before t is done, so Wait waits for it
			b.wg.Done()
			t = next
		}
		idle.Reset(workerIdle)
		select {
		case t = <-b.idle:
		case <-idle.C:
			return
		}
	}
}

// run runs one task, claimed by claim, which set b.base under b.mu.
func (b *Background) run(t *task) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), b.Timeout)
	stop := context.AfterFunc(b.base, cancel) // Drain gave up on it
	if err := t.f(ctx); err != nil {
		Logger(t.ctx, b.Log).Error(t.what+" failed", "call", t.name, "err", err)
	}
	stop()
	cancel()
}

// finished frees the slot of a task of key's and returns the next waiting
// task that may run, claimed, for the caller to run: its own key's
// first, else another key's; nil if none.
func (b *Background) finished(key string) *task {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.running--
	l := b.lanes[key]
	l.running--
	t := b.next(l)
	for _, other := range b.lanes {
		if t != nil {
			break
		}
		t = b.next(other)
	}
	if l.running == 0 && len(l.queue) == 0 { // idle lanes go, whoever runs next
		delete(b.lanes, key)
	}
	return t
}

// next claims l's first waiting task if l may run one more (b.mu held).
func (b *Background) next(l *lane) *task {
	if len(l.queue) == 0 || l.running >= b.bound(b.PerKey, DefaultPerKey) || b.running >= b.bound(b.Limit, DefaultLimit) {
		return nil
	}
	t := l.queue[0]
	l.queue[0] = nil
	l.queue = l.queue[1:]
	b.waiting--
	b.claim(l)
	return t
}

func (b *Background) shed(t *task, why string) {
	Logger(t.ctx, b.Log).Warn(t.what+" not sent: too many waiting for the platform", "call", t.name, "why", why)
	if b.OnShed != nil {
		b.OnShed(t.name, why)
	}
}

// Load is how many tasks run and wait now (for metrics and tests).
func (b *Background) Load() (running, waiting int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.running, b.waiting
}

// Track counts a goroutine the caller runs itself; call the returned done.
func (b *Background) Track() (done func()) {
	b.wg.Add(1)
	return b.wg.Done
}

// Wait blocks until every task has finished, waiting ones included.
func (b *Background) Wait() { b.wg.Wait() }

// Drain is Wait for a shutdown that cannot wait for ever (a platform
// that hangs): when ctx ends first, the waiting tasks are shed
// ("shutdown"), the running ones canceled, and it returns once they have.
func (b *Background) Drain(ctx context.Context) {
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	b.mu.Lock()
	b.closed = true
	var dropped []*task
	for _, l := range b.lanes {
		dropped = append(dropped, l.queue...)
		l.queue = nil
	}
	b.waiting = 0
	if b.abandon != nil {
		b.abandon()
	}
	b.mu.Unlock()
	for _, t := range dropped {
		b.shed(t, "shutdown")
	}
	<-done
}
