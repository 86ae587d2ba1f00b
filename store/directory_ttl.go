package store

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// PutFor stores value under kind and id for ttl: something offered for a
// while (Teams keeps an exam packet until the user accepts it).
func (d *Directory) PutFor(ctx context.Context, kind, id, value string, ttl time.Duration) error {
	if ttl <= 0 {
		return errors.New("store: PutFor needs a positive ttl")
	}
	k, err := d.key(kind, id)
	if err != nil {
		return err
	}
	if err := d.r.c.Set(ctx, k, value, ttl).Err(); err != nil {
		return unavailable(string(d.platform)+" "+kind, err)
	}
	return nil
}

// Take reads and removes the value under kind and id in one step: of two
// callers racing for it, one gets it. found is false if there is none.
// GET and DEL in MULTI rather than GETDEL, which Redis before 6.2 lacks.
func (d *Directory) Take(ctx context.Context, kind, id string) (value string, found bool, err error) {
	k, err := d.key(kind, id)
	if err != nil {
		return "", false, err
	}
	var get *redis.StringCmd
	_, err = d.r.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		get = p.Get(ctx, k)
		p.Del(ctx, k)
		return nil
	})
	switch {
	case errors.Is(err, redis.Nil):
		return "", false, nil
	case err != nil:
		return "", false, unavailable(string(d.platform)+" "+kind, err)
	}
	return get.Val(), true, nil
}
