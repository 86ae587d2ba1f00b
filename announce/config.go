package announce

import (
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// Config holds the scheduler's dependencies and tuning. Zero values take
// the defaults documented on each field.
type Config struct {
	// Service gives the flow (deadlines, the post's text) and the audited
	// end of a subscription.
	Service *dialogs.Service
	Firms   FirmStore
	Ledger  Ledger
	// Posters send each platform's reminders; at least one is required.
	Posters Posters
	// Now is the clock (the app honours CAIS_NOW); default Service.Now.
	Now    func() time.Time
	Logger *slog.Logger // default: discard
	Limits Limits
	// Observe, if set, is told each event Stats counts, by name: sent,
	// recovered, skipped, missed, failed, gone, rate_limited, retry,
	// duplicate, error (for a metrics counter).
	Observe func(event string)

	// Interval between runs; default 30 s.
	Interval time.Duration
	// Lease is how long a claim or a sender lock holds without renewal;
	// a sender that dies blocks its posts this long. Default 2 min: far
	// above one call's timeout and any clock skew between replicas.
	Lease time.Duration
	// Attempts bounds calls that fail with a server or network error, per
	// occurrence and run; default 5. After the last, the failure is logged
	// and counted, and the claim is left to lapse so a later run retries.
	Attempts int
	// Backoff is the first wait after such a failure, doubling up to
	// MaxBackoff, with jitter; defaults 2 s and 1 min.
	Backoff, MaxBackoff time.Duration
	// RateLimitWait is the pause after a 429 that names no Retry-After;
	// default 30 s. MaxRateLimited bounds 429s per occurrence and run;
	// default 10.
	RateLimitWait  time.Duration
	MaxRateLimited int
	// CallTimeout bounds one Post or Find; default 20 s, well under Lease.
	CallTimeout time.Duration
	// Loaders is how many batches of firms are read and planned at once;
	// default 2: planning is CPU work, and more loaders only take the CPU
	// the senders need to keep their pace.
	Loaders int
}

// Limits are the posting budgets. Slack allows about one message per
// second per channel and a workspace-wide limit it does not publish; it
// advises designing for one call per second per method.
type Limits struct {
	// Channel is the least time between two posts to one channel;
	// default 1 s, Slack's documented chat.postMessage limit.
	Channel time.Duration
	// Workspace is the least time between two posts in one workspace;
	// default 1 s (60 posts a minute). Slack publishes no figure for the
	// workspace-wide burst; one per second is its advice for any method,
	// reminders are not urgent (the 20th of a 09:00 batch going out at
	// 09:00:20 is fine), and it leaves the rest of the method's budget to
	// the bot's interactive posts.
	Workspace time.Duration
}

func (c *Config) check() error {
	switch {
	case c.Service == nil || c.Service.Flow == nil:
		return errors.New("announce: Service with a Flow is required")
	case c.Firms == nil || c.Ledger == nil || len(c.Posters) == 0:
		return errors.New("announce: Firms, Ledger and Posters are required")
	case c.Now == nil && c.Service.Now == nil:
		return errors.New("announce: a clock (Now or Service.Now) is required")
	}
	return nil
}

func (c *Config) defaults() {
	if c.Now == nil {
		c.Now = c.Service.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	setDefault(&c.Limits.Channel, time.Second)
	setDefault(&c.Limits.Workspace, time.Second)
	setDefault(&c.Interval, 30*time.Second)
	setDefault(&c.Lease, 2*time.Minute)
	setDefault(&c.Attempts, 5)
	setDefault(&c.Backoff, 2*time.Second)
	setDefault(&c.MaxBackoff, time.Minute)
	setDefault(&c.RateLimitWait, 30*time.Second)
	setDefault(&c.MaxRateLimited, 10)
	setDefault(&c.CallTimeout, 20*time.Second)
	setDefault(&c.Loaders, 2)
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}
