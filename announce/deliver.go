package announce

import (
	"context"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
)

// delivery posts one claimed occurrence, or finds that an earlier
// sender already did.
type delivery struct {
	w   *worker
	j   *job
	msg Message
	// uncertain: an earlier call may have posted, so look before posting.
	uncertain bool
	claimedAt time.Time // real time of the last claim or renewal
	attempts  int       // calls failed with a server or network error
	limited   int       // 429 answers
}

func (w *worker) newDelivery(j *job, retaken bool) *delivery {
	f := w.r.s.cfg.Service.Flow
	return &delivery{w: w, j: j, uncertain: retaken, claimedAt: time.Now(), msg: Message{
		Occurrence: j.occ, Workspace: j.workspace.ID, ID: hex.EncodeToString(j.sum[:]),
		Reply: f.Reminder(*j.progress, j.deadline, w.r.clock()),
	}}
}

func (d *delivery) run(ctx context.Context) {
	for {
		settled, err := d.attempt(ctx)
		// A cancelled run stops here, recording nothing: if the last call
		// posted, the claim lapses and the next sender finds the post.
		if settled || ctx.Err() != nil || !d.handle(ctx, err) {
			return
		}
	}
}

// attempt makes one call: a history lookup while a post may exist, else
// a post. settled means the occurrence needs nothing more from this run.
func (d *delivery) attempt(ctx context.Context) (settled bool, err error) {
	s := d.w.r.s
	if d.uncertain {
		cctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
		ref, found, err := s.cfg.Posters[d.j.occ.Firm.Platform].Find(cctx, d.msg)
		cancel()
		if err != nil {
			return false, err
		}
		if found {
			s.stats.add(evRecovered)
			s.log.Info("reminder found in the channel's history: recorded, not posted again", occAttrs(d.j)...)
			d.w.posted(ctx, d.j, ref)
			return true, nil
		}
		d.uncertain = false
	}
	prev, err := d.w.wait(ctx, d.j.occ.Channel)
	if err != nil || !d.hold(ctx) {
		return true, nil // stopping, or another sender has it now
	}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	ref, err := s.cfg.Posters[d.j.occ.Firm.Platform].Post(cctx, d.msg)
	cancel()
	var rl *RateLimited
	if errors.As(err, &rl) {
		d.w.pace.unbook(d.j.occ.Channel, prev)
	}
	if err != nil {
		d.uncertain = !Definite(err)
		return false, err
	}
	s.stats.add(evSent)
	d.w.posted(ctx, d.j, ref)
	return true, nil
}

// Definite reports whether a Poster's error says for sure that nothing
// was posted (RateLimited, Gone, Refused); any other may hide a post.
func Definite(err error) bool {
	var rl *RateLimited
	var g *Gone
	var r *Refused
	return errors.As(err, &rl) || errors.As(err, &g) || errors.As(err, &r)
}

// handle reacts to a failed call; false means stop trying in this run.
func (d *delivery) handle(ctx context.Context, err error) bool {
	s := d.w.r.s
	var rl *RateLimited
	var gone *Gone
	var refused *Refused
	switch {
	case errors.As(err, &rl):
		s.stats.add(evRateLimited)
		wait := rl.After
		if wait <= 0 {
			wait = s.cfg.RateLimitWait
		}
		d.w.pace.pause(time.Now().Add(wait))
		if d.limited++; d.limited < s.cfg.MaxRateLimited {
			return true
		}
	case errors.As(err, &gone):
		d.w.end(ctx, d.j, gone.Reason)
		return false
	case errors.As(err, &refused):
		s.stats.add(evFailed)
		s.log.Error("reminder refused by the platform; not retried", append(occAttrs(d.j), "err", err)...)
		d.w.settleNow(ctx, d.j, ledger.StateFailed, "")
		return false
	default:
		if d.attempts++; d.attempts < s.cfg.Attempts {
			s.stats.add(evRetry)
			return d.w.sleep(ctx, backoff(s.cfg.Backoff, s.cfg.MaxBackoff, d.attempts)) == nil
		}
	}
	s.stats.add(evFailed)
	s.log.Error("reminder not delivered after the last retry; its claim will lapse and a later run tries again",
		append(occAttrs(d.j), "attempts", d.attempts, "rate_limited", d.limited, "err", err)...)
	return false
}

// backoff doubles from base up to most, with full jitter so replicas
// and workspaces do not retry in step.
func backoff(base, most time.Duration, attempt int) time.Duration {
	d := min(base<<(attempt-1), most)
	if d <= 0 {
		d = most
	}
	return d/2 + rand.N(d/2+1)
}

// end stops the channel's announcements through the audited flow, and
// settles this and the channel's later jobs in the run as gone.
func (w *worker) end(ctx context.Context, j *job, reason string) {
	s := w.r.s
	if err := s.cfg.Service.EndSubscription(ctx, j.occ.Firm, j.occ.Channel, reason); err != nil {
		s.stats.add(evError)
		s.log.Error("announcements: cannot end the subscription of a channel that refuses posts; trying next run", append(occAttrs(j), "reason", reason, "err", err)...)
		return
	}
	w.gone[j.occ.Channel] = true
	s.stats.add(evGone)
	s.log.Warn("announcements: channel refuses posts; subscription ended", append(occAttrs(j), "reason", reason)...)
	w.settleNow(ctx, j, ledger.StateGone, "")
}
