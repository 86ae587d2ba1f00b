// Package store keeps caisbot's state in Redis: each firm's progress and
// its append-only audit trail, changed together by one compare-and-set
// script. It knows no chat platform.
package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// Redis implements dialogs.Store on any go-redis client: single node,
// Sentinel or Cluster.
type Redis struct {
	c       redis.UniversalClient
	prefix  string
	decoded *decoded
	// unwatched spares the Home-viewers lookup after a commit that saw none.
	unwatched *unwatched
	// roles keeps workspaces' roles while WatchRoles runs (rolescache.go).
	roles *rolesCache
}

var _ dialogs.Store = (*Redis)(nil)

// New returns a store writing only keys that start with prefix.
func New(c redis.UniversalClient, prefix string) *Redis {
	if c == nil {
		panic("store.New: nil Redis client")
	}
	return &Redis{c: c, prefix: prefix, decoded: &decoded{max: maxDecoded}, unwatched: &unwatched{}, roles: &rolesCache{now: time.Now}}
}

// Load reads the firm's progress in one round trip. A firm never seen has
// the zero Progress.
func (r *Redis) Load(ctx context.Context, f firm.ID) (dialogs.Progress, error) {
	k, err := r.keys(f)
	if err != nil {
		return dialogs.Progress{}, err
	}
	vals, err := r.c.HMGet(ctx, k.progress, "v", progressField).Result()
	if err != nil {
		return dialogs.Progress{}, unavailable("load "+f.String(), err)
	}
	return r.progressOf(f, k, vals)
}

// progressOf decodes what HMGET v p read for f, through the cache of
// decoded progress.
func (r *Redis) progressOf(f firm.ID, k firmKeys, vals []any) (dialogs.Progress, error) {
	var err error
	v, vok := vals[0].(string)
	body, pok := vals[1].(string)
	if vok && pok {
		if p, hit := r.decoded.get(k.progress, body); hit {
			// The version comes from its own field, as in decodeProgress.
			p.Version, err = strconv.ParseInt(v, 10, 64)
			if err == nil {
				return p, nil
			}
		}
	}
	p, err := decodeProgress(f.String(), vals)
	if err == nil && pok {
		r.decoded.put(k.progress, body, p.Clone())
	}
	return p, err
}

// decodeProgress takes the version from the hash field the commit script
// compares, not from the JSON, so Load's Version is what Commit expects.
func decodeProgress(firm string, vals []any) (dialogs.Progress, error) {
	var p dialogs.Progress
	v, vok := vals[0].(string)
	body, pok := vals[1].(string)
	if !vok && !pok {
		return p, nil
	}
	if !vok || !pok {
		return p, dialogs.Integrity(firm, fmt.Sprintf("the stored progress is half written (version set: %t, progress set: %t)", vok, pok), nil)
	}
	version, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return p, dialogs.Integrity(firm, "the stored progress version is not a number", err)
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		return p, dialogs.Integrity(firm, "the stored progress cannot be read", err)
	}
	p.Version = version
	return p, nil
}

// Audit returns the firm's entries from start to stop with LRANGE
// semantics (0 first, -1 last, both inclusive).
func (r *Redis) Audit(ctx context.Context, f firm.ID, start, stop int64) ([]dialogs.Entry, error) {
	k, err := r.keys(f)
	if err != nil {
		return nil, err
	}
	raw, err := r.c.LRange(ctx, k.audit, start, stop).Result()
	if err != nil {
		return nil, unavailable("audit "+f.String(), err)
	}
	return decodeEntries(f.String(), raw, start)
}

// Firms lists every firm in the index, sorted by platform and key. The
// index is written before a firm's first commit, so it may also name a
// firm whose first commit failed; such a firm loads as Version 0. A member
// that names no firm (written by hand) is left out: ErrBadFirm for it
// would stop every firm's reminders.
func (r *Redis) Firms(ctx context.Context) ([]firm.ID, error) {
	members, err := r.c.SMembers(ctx, r.firmsKey()).Result()
	if err != nil {
		return nil, unavailable("firms", err)
	}
	// A member is its firm's String, so sorting the members sorts the
	// firms at a string comparison each, far cheaper than comparing IDs.
	// Bare keys from older builds are not: then the firms are sorted again.
	slices.Sort(members)
	firms := make([]firm.ID, 0, len(members))
	sorted := true
	for _, m := range members {
		if f, err := firm.ParseMember(m); err == nil {
			firms = append(firms, f)
			sorted = sorted && f.IsMember(m)
		}
	}
	if !sorted {
		slices.SortFunc(firms, firm.Compare)
	}
	// Sorted, a firm named by two members (a legacy key and its
	// Member) sits next to itself: Compact drops the second.
	firms = slices.Compact(firms)
	return firms, nil
}

// Ping reports whether Redis answers, for /readyz.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.c.Ping(ctx).Err(); err != nil {
		return unavailable("ping", err)
	}
	return nil
}
