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
	// The arguments every call shares, boxed once.
	at, keep, until := any(now.UnixMilli()), any(ledgerRetention.Milliseconds()), any(lease.Milliseconds())
	calls := make([]scriptCall, 0, len(done)+len(claims))
	for _, d := range done {
		key, err := r.occurrenceKey(d.Occurrence)
		if err != nil {
			return nil, nil, err
		}
		calls = append(calls, scriptCall{settleScript, key, []any{"finish", d.State, d.Ref, at, keep, readable(d.Occurrence)}})
	}
	for _, o := range claims {
		key, err := r.occurrenceKey(o)
		if err != nil {
			return nil, nil, err
		}
		calls = append(calls, scriptCall{settleScript, key, []any{"claim", token, at, until, keep, readable(o)}})
	}
	cmds, err := r.runScripts(ctx, calls)
	if err != nil {
		return nil, nil, unavailable("settle", err)
	}
	recorded, claimed = make([]ledger.Claim, 0, len(done)), make([]ledger.Claim, 0, len(claims))
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

// scriptCall is one script run on one key.
type scriptCall struct {
	script *redis.Script
	key    string
	args   []any
}

// runScripts runs calls in one pipeline by digest (EVALSHA), so the
// script's text is neither sent nor hashed by Redis on every call (that
// was a tenth of Redis's CPU per reminder). A pipeline cannot fall back
// on NOSCRIPT by itself: calls answered NOSCRIPT (Redis restarted or
// failed over, or a cluster node never ran the script) did not run, so
// they alone are sent again, in order, as EVAL, which caches the script
// again. Calls must all use one script (see settleScript): then a node
// refuses all of its calls or none, and each key's calls keep their
// order. Any other error fails the batch.
func (r *Redis) runScripts(ctx context.Context, calls []scriptCall) ([]*redis.Cmd, error) {
	cmds := make([]*redis.Cmd, len(calls))
	pipe := r.c.Pipeline()
	for i, c := range calls {
		cmds[i] = c.script.EvalSha(ctx, pipe, []string{c.key}, c.args...)
	}
	_, _ = pipe.Exec(ctx) // judged command by command below
	var again []int
	for i, c := range cmds {
		if redis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
			again = append(again, i)
		}
	}
	if len(again) > 0 {
		pipe = r.c.Pipeline()
		for _, i := range again {
			cmds[i] = calls[i].script.Eval(ctx, pipe, []string{calls[i].key}, calls[i].args...)
		}
		_, _ = pipe.Exec(ctx)
	}
	for _, c := range cmds {
		if err := c.Err(); err != nil {
			return nil, err
		}
	}
	return cmds, nil
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
