package announce

import "sync/atomic"

// Stats counts what the scheduler did since it started, for logs and
// metrics.
type Stats struct {
	Sent        int64 // posts the platform accepted
	Recovered   int64 // posts found in history after a lost result, not posted again
	Skipped     int64 // reminders whose day passed while no sender ran
	Missed      int64 // reminders tried on their day but never delivered
	Failed      int64 // runs that gave up on a reminder after the last retry, or refused posts
	Gone        int64 // subscriptions ended because the channel refused posts
	RateLimited int64 // 429 answers honoured
	Retries     int64 // calls retried after a server or network error
	Duplicates  int64 // posts made while another sender's post was already recorded
	Errors      int64 // ledger or store failures (the occurrence is retried later)
}

// event is one thing Stats counts; its name is what Config.Observe gets.
type event int

const (
	evSent event = iota
	evRecovered
	evSkipped
	evMissed
	evFailed
	evGone
	evRateLimited
	evRetry
	evDuplicate
	evError
	nEvents
)

var eventNames = [nEvents]string{"sent", "recovered", "skipped", "missed", "failed", "gone", "rate_limited", "retry", "duplicate", "error"}

type counters struct {
	n       [nEvents]atomic.Int64
	observe func(string)
}

func (c *counters) add(e event) {
	c.n[e].Add(1)
	if c.observe != nil {
		c.observe(eventNames[e])
	}
}

func (c *counters) snapshot() Stats {
	return Stats{
		Sent: c.n[evSent].Load(), Recovered: c.n[evRecovered].Load(), Skipped: c.n[evSkipped].Load(),
		Missed: c.n[evMissed].Load(), Failed: c.n[evFailed].Load(), Gone: c.n[evGone].Load(),
		RateLimited: c.n[evRateLimited].Load(), Retries: c.n[evRetry].Load(),
		Duplicates: c.n[evDuplicate].Load(), Errors: c.n[evError].Load(),
	}
}
