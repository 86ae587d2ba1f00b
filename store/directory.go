package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/firm"
)

// Directory is one platform's own records, which the store keeps without
// knowing what they mean: values by kind and id (Teams keeps a
// conversation reference per chat), and small hashes by kind and id
// (Teams keeps the display names of a tenant's users). Keys are
// "<prefix><platform>:<kind>:<id>"; values are the adapter's, kept as they
// are. The adapter checks its ids by its platform's rules; the store only
// refuses what would break a key.
type Directory struct {
	r        *Redis
	platform firm.Platform
}

// Directory returns platform p's records.
func (r *Redis) Directory(p firm.Platform) *Directory {
	if !p.Valid() {
		panic(fmt.Sprintf("store.Directory: bad platform %q", p))
	}
	return &Directory{r: r, platform: p}
}

func (d *Directory) key(kind, id string) (string, error) {
	if err := checkKeyPart(kind); err != nil {
		return "", err
	}
	if err := checkKeyPart(id); err != nil {
		return "", err
	}
	return d.r.prefix + string(d.platform) + ":" + kind + ":" + id, nil
}

// Put stores value under kind and id.
func (d *Directory) Put(ctx context.Context, kind, id, value string) error {
	k, err := d.key(kind, id)
	if err != nil {
		return err
	}
	if err := d.r.c.Set(ctx, k, value, 0).Err(); err != nil {
		return unavailable(string(d.platform)+" "+kind, err)
	}
	return nil
}

// Get reads the value under kind and id; found is false if there is none.
func (d *Directory) Get(ctx context.Context, kind, id string) (value string, found bool, err error) {
	k, err := d.key(kind, id)
	if err != nil {
		return "", false, err
	}
	value, err = d.r.c.Get(ctx, k).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return "", false, nil
	case err != nil:
		return "", false, unavailable(string(d.platform)+" "+kind, err)
	}
	return value, true, nil
}

// Delete removes the value under kind and id.
func (d *Directory) Delete(ctx context.Context, kind, id string) error {
	k, err := d.key(kind, id)
	if err != nil {
		return err
	}
	if err := d.r.c.Del(ctx, k).Err(); err != nil {
		return unavailable(string(d.platform)+" "+kind, err)
	}
	return nil
}

// PutField sets field of the hash under kind and id to value, unless the
// hash already holds limit fields and this one is not among them: a soft
// cap (replicas racing past it add a few more), so renaming a kept field
// still works when adding one does not.
func (d *Directory) PutField(ctx context.Context, kind, id, field, value string, limit int64) error {
	k, err := d.key(kind, id)
	if err != nil {
		return err
	}
	what := string(d.platform) + " " + kind
	n, err := d.r.c.HLen(ctx, k).Result()
	if err != nil {
		return unavailable(what, err)
	}
	if n >= limit {
		kept, err := d.r.c.HExists(ctx, k, field).Result()
		if err != nil {
			return unavailable(what, err)
		}
		if !kept {
			return nil
		}
	}
	if err := d.r.c.HSet(ctx, k, field, value).Err(); err != nil {
		return unavailable(what, err)
	}
	return nil
}

// Fields reads the given fields of the hash under kind and id; absent
// ones are left out of the answer.
func (d *Directory) Fields(ctx context.Context, kind, id string, fields []string) (map[string]string, error) {
	k, err := d.key(kind, id)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if len(fields) == 0 {
		return out, nil
	}
	vals, err := d.r.c.HMGet(ctx, k, fields...).Result()
	if err != nil {
		return nil, unavailable(string(d.platform)+" "+kind, err)
	}
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[fields[i]] = s
		}
	}
	return out, nil
}
