package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Deliveries: an adapter claims each delivery it acts on under an opaque
// key, so a redelivery of the same request changes nothing. The store does
// not know what the keys mean; it keeps each under the prefix for ttl.

// maxClaimKey bounds a delivery key; adapters send short digests.
const maxClaimKey = 200

func (r *Redis) claimKey(key string) (string, error) {
	if key == "" || len(key) > maxClaimKey {
		return "", fmt.Errorf("store: delivery key of %d bytes", len(key))
	}
	return r.prefix + "once:" + key, nil
}

// ClaimDelivery sets key to value for ttl unless it is set (SET NX). first is
// false when it was set before; held is then its current value (nil if
// it expired in between).
func (r *Redis) ClaimDelivery(ctx context.Context, key string, value []byte, ttl time.Duration) (first bool, held []byte, err error) {
	k, err := r.claimKey(key)
	if err != nil {
		return false, nil, err
	}
	first, err = r.c.SetNX(ctx, k, value, ttl).Result()
	if err != nil {
		return false, nil, unavailable("claim delivery", err)
	}
	if first {
		return true, nil, nil
	}
	held, err = r.c.Get(ctx, k).Bytes()
	if errors.Is(err, redis.Nil) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, unavailable("read delivery claim", err)
	}
	return false, held, nil
}

// KeepDelivery replaces a claimed key's value, for ttl from now.
func (r *Redis) KeepDelivery(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	k, err := r.claimKey(key)
	if err != nil {
		return err
	}
	if err := r.c.Set(ctx, k, value, ttl).Err(); err != nil {
		return unavailable("keep delivery claim", err)
	}
	return nil
}

// ReleaseDelivery forgets a claim, so the same delivery is acted on again.
func (r *Redis) ReleaseDelivery(ctx context.Context, key string) error {
	k, err := r.claimKey(key)
	if err != nil {
		return err
	}
	if err := r.c.Del(ctx, k).Err(); err != nil {
		return unavailable("release delivery claim", err)
	}
	return nil
}
