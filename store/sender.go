package store

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// The sender lock lets one replica at a time post announcements in a
// workspace, so the workspace's posting budget holds however many
// replicas run. It is a lease like the ledger's, judged by the caller's
// clock; the occurrence claims still guarantee one post per occurrence
// if two replicas ever overlap.

// senderRetention lets Redis drop a lock its holder abandoned long ago.
const senderRetention = time.Hour

// lockScript: KEYS lock; ARGV token, now ms, lease ms, retention ms.
// Returns 1 when token holds the lock until now+lease.
var lockScript = redis.NewScript(`
local t = redis.call('HGET', KEYS[1], 't')
if t and t ~= ARGV[1] and tonumber(redis.call('HGET', KEYS[1], 'u')) > tonumber(ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], 't', ARGV[1], 'u', tonumber(ARGV[2]) + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[4]))
return 1
`)

// unlockScript deletes the lock only if token still holds it.
var unlockScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 't') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// LockSender takes or renews workspace's sender lock for token until
// now+lease; false means another sender holds it.
func (r *Redis) LockSender(ctx context.Context, workspace, token string, now time.Time, lease time.Duration) (bool, error) {
	key, err := r.senderKey(workspace)
	if err != nil {
		return false, err
	}
	n, err := lockScript.Run(ctx, r.c, []string{key}, token, now.UnixMilli(), lease.Milliseconds(), senderRetention.Milliseconds()).Int()
	if err != nil {
		return false, unavailable("lock "+key, err)
	}
	return n == 1, nil
}

// LockSenders is LockSender for several workspaces in one round trip:
// at the start of a run every workspace's sender takes its lock at once.
// locked[i] answers workspaces[i].
func (r *Redis) LockSenders(ctx context.Context, workspaces []string, token string, now time.Time, lease time.Duration) (locked []bool, err error) {
	args := []any{token, now.UnixMilli(), lease.Milliseconds(), senderRetention.Milliseconds()}
	calls := make([]scriptCall, len(workspaces))
	for i, ws := range workspaces {
		key, err := r.senderKey(ws)
		if err != nil {
			return nil, err
		}
		calls[i] = scriptCall{lockScript, key, args}
	}
	cmds, err := r.runScripts(ctx, calls)
	if err != nil {
		return nil, unavailable("lock senders", err)
	}
	locked = make([]bool, len(cmds))
	for i, c := range cmds {
		n, err := c.Int()
		if err != nil {
			return nil, unavailable("lock senders", err)
		}
		locked[i] = n == 1
	}
	return locked, nil
}

// UnlockSender releases the lock if token holds it.
func (r *Redis) UnlockSender(ctx context.Context, workspace, token string) error {
	key, err := r.senderKey(workspace)
	if err != nil {
		return err
	}
	if err := unlockScript.Run(ctx, r.c, []string{key}, token).Err(); err != nil {
		return unavailable("unlock "+key, err)
	}
	return nil
}

// senderKey spans the workspace's firms, so it has the workspace as its
// own hash tag; workspace ids follow the firm id rules.
func (r *Redis) senderKey(workspace string) (string, error) {
	if err := checkKeyPart(workspace); err != nil {
		return "", err
	}
	return r.prefix + "announce:sender:{" + workspace + "}", nil
}
