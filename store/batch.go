package store

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// Settle records results and then takes claims, all in one round trip, so
// a sender pays one trip per batch of posts rather than two per post.
// recorded[i] is the result that stands for done[i]; claimed[i] answers
// claims[i]. It is Finish and Claim, pipelined.
func (r *Redis) Settle(ctx context.Context, done []ledger.Settlement, claims []ledger.Occurrence, token string, now time.Time, lease time.Duration) (recorded, claimed []ledger.Claim, err error) {
	if len(done)+len(claims) == 0 {
		return nil, nil, nil
	}
	pipe := r.c.Pipeline()
	var cmds []*redis.Cmd
	for _, d := range done {
		key, err := r.occurrenceKey(d.Occurrence)
		if err != nil {
			return nil, nil, err
		}
		// Eval, not EvalSha: a pipeline cannot fall back on NOSCRIPT, and
		// Redis caches the compiled script by its digest either way.
		cmds = append(cmds, finishScript.Eval(ctx, pipe, []string{key}, d.State, d.Ref, now.UnixMilli(), ledgerRetention.Milliseconds(), readable(d.Occurrence)))
	}
	for _, o := range claims {
		key, err := r.occurrenceKey(o)
		if err != nil {
			return nil, nil, err
		}
		cmds = append(cmds, claimScript.Eval(ctx, pipe, []string{key}, token, now.UnixMilli(), lease.Milliseconds(), ledgerRetention.Milliseconds(), readable(o)))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, nil, unavailable("settle", err)
	}
	for i, c := range cmds {
		res, err := c.StringSlice()
		if i < len(done) {
			if err != nil || len(res) != 2 {
				return nil, nil, unavailable("settle", scriptErr(err, res))
			}
			recorded = append(recorded, ledger.Claim{Outcome: ledger.Done, State: res[0], Ref: res[1]})
			continue
		}
		if err != nil || len(res) != 3 {
			return nil, nil, unavailable("settle", scriptErr(err, res))
		}
		claimed = append(claimed, ledger.Claim{Outcome: claimOutcomes[res[0]], State: res[1], Ref: res[2]})
	}
	return recorded, claimed, nil
}

// LoadMany reads several firms' progress in one round trip (the
// scheduler reads every firm on every tick). Firms never seen load as
// the zero Progress.
func (r *Redis) LoadMany(ctx context.Context, firms []firm.ID) ([]dialogs.Progress, error) {
	pipe := r.c.Pipeline()
	cmds := make([]*redis.SliceCmd, len(firms))
	for i, f := range firms {
		k, err := r.keys(f)
		if err != nil {
			return nil, err
		}
		cmds[i] = pipe.HMGet(ctx, k.progress, "v", progressField)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable("load firms", err)
	}
	out := make([]dialogs.Progress, len(firms))
	for i, c := range cmds {
		p, err := decodeProgress(firms[i].String(), c.Val())
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}
