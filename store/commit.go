package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// commitScript is the only writer of a firm's keys. It runs atomically, so
// the version check, the progress write and the audit append cannot be
// separated by another replica or a crash.
//
// KEYS: state hash, audit list, and for a firm its live-viewers set.
// ARGV: expect, next version, state JSON, entry JSON, entry seq, the
// state hash's field for the JSON ("p" a firm's progress, "r" a
// workspace's roles, whose log is chained the same way), the entry's prev
// (the hash of the trail's last entry, "" for the first), and optionally
// a channel and a message to publish with the change (roles changes, so
// that replicas drop the roles they keep: rolescache.go).
// Returns 0 on conflict; when committed, 2 if the firm has no live viewers,
// 3 if it has some, and 1 (viewers not looked at) for a replay, see below.
//
// The trail must end where the entry says: at seq-1 entries, the last of
// them hashed prev. A click may commit on progress remembered from an
// earlier request (dialogs.Remembering) and a Redis restored from an older
// snapshot can reach the remembered version again with other entries;
// only the trail's head tells the two apart, so it is compared and the
// chain cannot fork.
//
// go-redis retries a command whose reply was lost, so the script may run a
// second time after it succeeded. That replay finds the version already
// moved on and the trail ending in this very entry, and answers 1 again
// rather than a false conflict; the same holds when the caller retries an
// ErrUnavailable commit with the same arguments.
var commitScript = redis.NewScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
local expect = tonumber(ARGV[1])
if cur ~= expect then
  if cur == tonumber(ARGV[2]) and redis.call('LINDEX', KEYS[2], -1) == ARGV[4] then
    return 1
  end
  return 0
end
if tonumber(ARGV[2]) ~= expect + 1 then
  return redis.error_reply('CAISBOT next version ' .. ARGV[2] .. ' is not ' .. (expect + 1))
end
local n = redis.call('LLEN', KEYS[2])
if tonumber(ARGV[5]) ~= n + 1 then
  return redis.error_reply('CAISBOT entry seq ' .. ARGV[5] .. ' is not ' .. (n + 1))
end
if n > 0 then
  local ok, last = pcall(cjson.decode, redis.call('LINDEX', KEYS[2], -1))
  if not ok or type(last) ~= 'table' or last.hash ~= ARGV[7] then
    return redis.error_reply('CAISBOT entry prev is not the hash of the trail head')
  end
elseif ARGV[7] ~= '' then
  return redis.error_reply('CAISBOT entry prev is not empty for a first entry')
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], ARGV[6], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[4])
if ARGV[8] then
  -- pcall: the change is written; a user without the channel's ACL
  -- leaves replicas on their expiry instead of failing the commit.
  redis.pcall('PUBLISH', ARGV[8], ARGV[9])
end
if #KEYS < 3 then
  return 2
end
return 2 + redis.call('EXISTS', KEYS[3])
`)

// State hash fields the commit script writes the JSON to.
const (
	progressField = "p"
	rolesField    = "r"
)

// Commit stores next and appends entry in one round trip if the stored
// version still equals expect; otherwise it returns dialogs.ErrConflict
// and writes nothing.
//
// On a firm's first commit (expect 0) the firm is added to the firms index
// first, in a separate call because the index is in another cluster slot.
// Indexing before committing means the index never misses a committed
// firm; the price is that a first commit that then fails leaves a firm
// that loads as Version 0, which readers of Firms must tolerate.
func (r *Redis) Commit(ctx context.Context, f firm.ID, expect int64, next dialogs.Progress, entry dialogs.Entry) error {
	k, err := r.keys(f)
	if err != nil {
		return err
	}
	args, err := commitArgs(expect, next, entry)
	if err != nil {
		return fmt.Errorf("store: commit %s: %w", f, err)
	}
	if expect == 0 {
		if err := r.c.SAdd(ctx, r.firmsKey(), f.Member()).Err(); err != nil {
			return unavailable("index "+f.String(), err)
		}
	}
	res, err := commitScript.Run(ctx, r.c, []string{k.progress, k.audit, k.viewers}, args...).Int()
	if err != nil {
		return scriptError(f.String(), err)
	}
	if res == 0 {
		return dialogs.ErrConflict
	}
	r.unwatched.note(f.String(), res == 2)
	// The next Load of this firm, or its next click, most likely reads
	// what was just written.
	r.decoded.put(k.progress, string(args[2].([]byte)), next.Clone())
	return nil
}

// Remembered returns the progress last loaded or committed for f by this
// store, without asking Redis (dialogs.Remembering); Commit refuses it if
// Redis has moved on.
func (r *Redis) Remembered(f firm.ID) (dialogs.Progress, bool) {
	k, err := r.keys(f)
	if err != nil {
		return dialogs.Progress{}, false
	}
	return r.decoded.latest(k.progress)
}

func commitArgs(expect int64, next dialogs.Progress, entry dialogs.Entry) ([]any, error) {
	p, err := json.Marshal(next)
	if err != nil {
		return nil, fmt.Errorf("encode progress: %w", err)
	}
	e, err := json.Marshal(entry)
	if err != nil {
		return nil, fmt.Errorf("encode entry: %w", err)
	}
	return []any{expect, next.Version, p, e, entry.Seq, progressField, entry.Prev}, nil
}
