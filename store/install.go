package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/install"
)

// Installations: one record per "Add to Slack", under its install.Key
// ("team:T0123" or "enterprise:E0123"), sealed by package install before
// it gets here; the store keeps the bytes and never sees a token.

var _ install.Backend = (*Redis)(nil)

func (r *Redis) installKey(key string) (string, error) {
	if err := checkKeyPart(key); err != nil {
		return "", err
	}
	return r.prefix + "install:" + key, nil
}

// PutInstallation keeps record under key, replacing any earlier one.
func (r *Redis) PutInstallation(ctx context.Context, key string, record []byte) error {
	k, err := r.installKey(key)
	if err != nil {
		return err
	}
	if err := r.c.Set(ctx, k, record, 0).Err(); err != nil {
		return unavailable("save installation "+key, err)
	}
	return nil
}

// GetInstallation reads the record under key; found is false if none.
func (r *Redis) GetInstallation(ctx context.Context, key string) ([]byte, bool, error) {
	k, err := r.installKey(key)
	if err != nil {
		return nil, false, err
	}
	b, err := r.c.Get(ctx, k).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, unavailable("read installation "+key, err)
	}
	return b, true, nil
}

// OAuth states: the install page keeps each state it hands out for ttl,
// and the redirect takes it back once (GETDEL), so a state is good for
// one install within its lifetime, on any replica.

// maxState bounds a state key; the adapter's are 43 characters.
const maxState = 100

func (r *Redis) stateKey(state string) (string, error) {
	if len(state) > maxState {
		return "", fmt.Errorf("store: OAuth state of %d bytes", len(state))
	}
	if err := checkKeyPart(state); err != nil {
		return "", err
	}
	return r.prefix + "oauth:" + state, nil
}

// PutOAuthState keeps value under a new state for ttl; it refuses a
// state already in use (random states never collide; this is a guard).
func (r *Redis) PutOAuthState(ctx context.Context, state string, value []byte, ttl time.Duration) error {
	k, err := r.stateKey(state)
	if err != nil {
		return err
	}
	set, err := r.c.SetNX(ctx, k, value, ttl).Result()
	if err != nil {
		return unavailable("keep OAuth state", err)
	}
	if !set {
		return errors.New("store: OAuth state already in use")
	}
	return nil
}

// TakeOAuthState returns the value kept under state and forgets it:
// found is false for a state never given, expired or already taken.
func (r *Redis) TakeOAuthState(ctx context.Context, state string) ([]byte, bool, error) {
	k, err := r.stateKey(state)
	if err != nil {
		return nil, false, nil // no such state was ever handed out
	}
	b, err := r.c.GetDel(ctx, k).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, unavailable("take OAuth state", err)
	}
	return b, true, nil
}

// swapScript: KEYS record; ARGV old, new. Replaces the record only if it
// is still old, so concurrent writers (an uninstall, a token refresh on
// another replica) never undo each other.
var swapScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`)

// SwapInstallation replaces the record under key with record if it is
// still old; swapped is false when it is not (or there is none).
func (r *Redis) SwapInstallation(ctx context.Context, key string, old, record []byte) (bool, error) {
	k, err := r.installKey(key)
	if err != nil {
		return false, err
	}
	n, err := swapScript.Run(ctx, r.c, []string{k}, old, record).Int()
	if err != nil {
		return false, unavailable("update installation "+key, err)
	}
	return n == 1, nil
}
