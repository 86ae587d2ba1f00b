package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/redis/go-redis/v9"
)

// The announcement ledger: one hash per occurrence (firm, channel,
// deadline, day, lead), a small state machine claimed → sent | gone |
// failed, or skipped. Leases are judged against the time the caller
// passes, not Redis's clock, so every replica and every test sees the
// same clock it schedules by; replicas' clocks must agree to well within
// a lease (NTP does).
//
// Fields: s state, t token of the claimant, u lease end (Unix ms),
// n claims so far, r message ref, o readable occurrence, a/f first claim
// and finish times (Unix ms).

// ledgerRetention keeps a record past the last day it can matter (the
// deadline, at most 30 days after the first reminder) and then lets Redis
// drop it.
const ledgerRetention = 40 * 24 * time.Hour

// settleScript claims an occurrence or records its result: KEYS
// occurrence; ARGV[1] "claim" or "finish", then that call's arguments.
// One script for both, so a batch sent by digest (Settle) meets a Redis
// that lost its scripts (a restart, a failover) all refused or all run:
// with two, a claim could run ahead of the result it was queued behind.
//
// claim: ARGV token, now ms, lease ms, retention ms, readable occurrence.
// Takes the occurrence for token, renews token's own claim, or reports
// who has it. Returns {outcome, state, ref}.
//
// finish: ARGV state, ref, now ms, retention ms, readable occurrence. A
// result is recorded whoever holds the lease: a sender whose lease
// lapsed mid-post still posted, and the record must say so. A result
// already recorded is kept. Returns {state, ref}.
var settleScript = redis.NewScript(`
local s = redis.call('HGET', KEYS[1], 's')
if ARGV[1] == 'finish' then
  if s and s ~= 'claimed' then
    return {s, redis.call('HGET', KEYS[1], 'r') or ''}
  end
  redis.call('HSET', KEYS[1], 's', ARGV[2], 'r', ARGV[3], 'f', ARGV[4], 'o', ARGV[6])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return {ARGV[2], ARGV[3]}
end
local now, lease = tonumber(ARGV[3]), tonumber(ARGV[4])
if not s then
  redis.call('HSET', KEYS[1], 's', 'claimed', 't', ARGV[2], 'u', now + lease, 'n', 1, 'a', now, 'o', ARGV[6])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return {'claimed', 'claimed', ''}
end
if s ~= 'claimed' then
  return {'done', s, redis.call('HGET', KEYS[1], 'r') or ''}
end
local t = redis.call('HGET', KEYS[1], 't')
if t == ARGV[2] then
  redis.call('HSET', KEYS[1], 'u', now + lease)
  return {'claimed', 'claimed', ''}
end
if tonumber(redis.call('HGET', KEYS[1], 'u')) > now then
  return {'held', 'claimed', ''}
end
redis.call('HSET', KEYS[1], 't', ARGV[2], 'u', now + lease)
redis.call('HINCRBY', KEYS[1], 'n', 1)
return {'retaken', 'claimed', ''}
`)

// skipScript: KEYS occurrence; ARGV now ms, retention ms, readable
// occurrence. Marks an occurrence whose day has passed: never claimed →
// skipped, claimed but never finished → failed, unless a live lease says
// its sender may still be posting (a backlog that ran past midnight).
// Returns the state before, or "held" for a live claim, left as it is.
var skipScript = redis.NewScript(`
local s = redis.call('HGET', KEYS[1], 's')
if s and s ~= 'claimed' then return s end
local to = 'skipped'
if s then
  if tonumber(redis.call('HGET', KEYS[1], 'u')) > tonumber(ARGV[1]) then return 'held' end
  to = 'failed'
end
redis.call('HSET', KEYS[1], 's', to, 'f', ARGV[1], 'o', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return s or ''
`)

var claimOutcomes = map[string]ledger.ClaimOutcome{"claimed": ledger.Claimed, "retaken": ledger.Retaken, "held": ledger.Held, "done": ledger.Done}

// Claim takes occurrence o for token until now+lease, renews token's own
// claim, or reports who has it.
func (r *Redis) Claim(ctx context.Context, o ledger.Occurrence, token string, now time.Time, lease time.Duration) (ledger.Claim, error) {
	key, err := r.occurrenceKey(o)
	if err != nil {
		return ledger.Claim{}, err
	}
	res, err := settleScript.Run(ctx, r.c, []string{key}, "claim", token, now.UnixMilli(), lease.Milliseconds(), ledgerRetention.Milliseconds(), readable(o)).StringSlice()
	if err != nil || len(res) != 3 {
		return ledger.Claim{}, unavailable("claim "+key, scriptErr(err, res))
	}
	return ledger.Claim{Outcome: claimOutcomes[res[0]], State: res[1], Ref: res[2]}, nil
}

// Finish records o's result (state, with ref for a post) unless a result
// is already recorded; it returns the result that stands.
func (r *Redis) Finish(ctx context.Context, o ledger.Occurrence, state, ref string, now time.Time) (ledger.Claim, error) {
	key, err := r.occurrenceKey(o)
	if err != nil {
		return ledger.Claim{}, err
	}
	res, err := settleScript.Run(ctx, r.c, []string{key}, "finish", state, ref, now.UnixMilli(), ledgerRetention.Milliseconds(), readable(o)).StringSlice()
	if err != nil || len(res) != 2 {
		return ledger.Claim{}, unavailable("finish "+key, scriptErr(err, res))
	}
	return ledger.Claim{Outcome: ledger.Done, State: res[0], Ref: res[1]}, nil
}

// Skip records that o's day passed unsent and returns the state before:
// "" (never tried: now skipped), "claimed" (tried, never finished: now
// failed), "held" (a sender's lease is still live: nothing changed, ask
// again later) or a result already recorded, which is kept. Only the
// first caller sees "" or "claimed", so only it needs to log.
func (r *Redis) Skip(ctx context.Context, o ledger.Occurrence, now time.Time) (string, error) {
	key, err := r.occurrenceKey(o)
	if err != nil {
		return "", err
	}
	prev, err := skipScript.Run(ctx, r.c, []string{key}, now.UnixMilli(), ledgerRetention.Milliseconds(), readable(o)).Text()
	if err != nil {
		return "", unavailable("skip "+key, err)
	}
	return prev, nil
}

// occurrenceKey lives under the firm's hash tag, beside its progress. The
// occurrence's fields are hashed into the key so no id can break its
// layout; the hash's "o" field keeps them readable.
func (r *Redis) occurrenceKey(o ledger.Occurrence) (string, error) {
	id, err := checkFirm(o.Firm)
	if err != nil {
		return "", err
	}
	// Built in one allocation: every post names its key twice (claim
	// and result).
	var hexID [32]byte
	var k strings.Builder
	k.Grow(len(r.prefix) + len(id) + len("{}:announce:") + len(hexID))
	k.WriteString(r.prefix)
	k.WriteString("{")
	k.WriteString(id)
	k.WriteString("}:announce:")
	k.Write(o.AppendID(hexID[:0]))
	return k.String(), nil
}

func readable(o ledger.Occurrence) string {
	return o.Channel + " " + o.Deadline + " " + o.Day + " lead " + strconv.Itoa(o.Lead)
}

func scriptErr(err error, res []string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("unexpected reply %q", res)
}
