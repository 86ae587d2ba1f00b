package store

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// An installation's refresh lock lets one replica at a time spend its
// refresh token (Slack's refresh tokens are single-use). It is a plain
// lease (SET NX PX) judged by Redis's clock; the record's own
// compare-and-set still keeps a second refresh from overwriting the
// first if a lease ever lapses mid-refresh.

func (r *Redis) installLockKey(key string) (string, error) {
	if err := checkKeyPart(key); err != nil {
		return "", err
	}
	return r.prefix + "install-lock:" + key, nil
}

// LockInstallation takes the refresh lock of installation key for token
// for lease; false means another holds it.
func (r *Redis) LockInstallation(ctx context.Context, key, token string, lease time.Duration) (bool, error) {
	k, err := r.installLockKey(key)
	if err != nil {
		return false, err
	}
	ok, err := r.c.SetNX(ctx, k, token, lease).Result()
	if err != nil {
		return false, unavailable("lock installation "+key, err)
	}
	return ok, nil
}

var unlockValueScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// UnlockInstallation releases the lock if token still holds it.
func (r *Redis) UnlockInstallation(ctx context.Context, key, token string) error {
	k, err := r.installLockKey(key)
	if err != nil {
		return err
	}
	if err := unlockValueScript.Run(ctx, r.c, []string{k}, token).Err(); err != nil {
		return unavailable("unlock installation "+key, err)
	}
	return nil
}
