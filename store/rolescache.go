package store

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/cache"
)

// Every command and click needs its workspace's roles, and roles change a
// few times a year: reading them each time was a second Redis command per
// request. rolesCache keeps them between requests, but only while this
// replica is subscribed to the channel every roles change is published on
// (the commit script publishes it atomically with the change, so no
// replica can read the new roles before the message is sent). Without a
// live subscription nothing is kept and every request reads, as before:
// the cache can only be as fresh as the subscription, never staler.
type rolesCache struct {
	mu   sync.Mutex
	live bool   // subscribed now (set by WatchRoles)
	gen  uint64 // moves on at every invalidation
	m    map[string]cachedRoles
	now  func() time.Time
}

type cachedRoles struct {
	r  dialogs.Roles
	at time.Time
}

const (
	// maxCachedRoles bounds the cache (a few hundred bytes a workspace).
	maxCachedRoles = 4096
	// rolesTTL bounds how long roles are kept even while subscribed: a
	// backstop against a change whose message never came (a Redis
	// Cluster's bus can drop one).
	rolesTTL = 10 * time.Second
	// rolesPing is how long the subscription may stay silent before it
	// is pinged; a ping unanswered as long again ends it (a half-open
	// connection hears nothing).
	rolesPing = 3 * time.Second
	// rolesRetryMax bounds the wait between attempts to subscribe again.
	rolesRetryMax = 30 * time.Second
)

// get returns w's roles if kept, and the generation a read of them must
// quote to put; ok is false when they must be read.
func (c *rolesCache) get(w string) (r dialogs.Roles, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[w]
	if ok && c.now().Sub(e.at) > rolesTTL {
		delete(c.m, w)
		ok = false
	}
	return cloneRoles(e.r), c.gen, ok && c.live
}

// put keeps roles read under generation gen, unless an invalidation came
// meanwhile (the read may predate the change it announced) or the
// subscription is not live.
func (c *rolesCache) put(w string, r dialogs.Roles, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || gen != c.gen {
		return
	}
	if c.m == nil {
		c.m = map[string]cachedRoles{}
	}
	if len(c.m) >= maxCachedRoles {
		cache.Shrink(c.m, maxCachedRoles)
	}
	c.m[w] = cachedRoles{r: cloneRoles(r), at: c.now()}
}

// drop forgets w's roles ("" forgets all) and stops puts of reads begun
// before it.
func (c *rolesCache) drop(w string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if w == "" {
		clear(c.m)
	} else {
		delete(c.m, w)
	}
}

// setLive starts or stops keeping roles; either way what is kept goes,
// since changes may have been missed while not subscribed.
func (c *rolesCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = live
	c.gen++
	clear(c.m)
}

// rolesChannel is where roles changes are published (the changed
// workspace, as firm.Workspace.String gives it).
func (r *Redis) rolesChannel() string { return r.prefix + "roles:changed" }

// WatchRoles subscribes to roles changes and keeps roles in memory while
// subscribed, until ctx ends. Run it once per store, in a goroutine; a
// store without it reads roles from Redis for every request.
func (r *Redis) WatchRoles(ctx context.Context, log *slog.Logger) {
	defer r.roles.setLive(false)
	wait := time.Second
	for ctx.Err() == nil {
		began := time.Now()
		err := r.watchRoles(ctx)
		r.roles.setLive(false)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > rolesRetryMax {
			wait = time.Second // it had been working: try again soon
		}
		log.Warn("roles subscription interrupted; reading roles from Redis until it is back", "err", err, "retry_in", wait)
		sleepCtx(ctx, wait)
		wait = min(2*wait, rolesRetryMax)
	}
}

// watchRoles is one subscription, until it fails or falls silent: a
// connection that answers no ping within rolesPing is given up, since
// changes published meanwhile would be missed.
func (r *Redis) watchRoles(ctx context.Context) error {
	ps := r.c.Subscribe(ctx, r.rolesChannel())
	// A receive waits out its timeout whatever ctx does; closing ends it.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer func() { stop(); _ = ps.Close() }()
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, rolesPing)
		var ne net.Error
		switch {
		case err != nil && errors.As(err, &ne) && ne.Timeout() && !pinged:
			if err := ps.Ping(ctx); err != nil {
				return err
			}
			pinged = true
			continue
		case err != nil:
			return err
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			r.roles.setLive(m.Kind == "subscribe")
		case *redis.Message:
			r.roles.drop(m.Payload)
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// cachedRolesOf returns w's roles if kept, else the generation to put
// them under once read.
func (r *Redis) cachedRolesOf(w firm.Workspace) (dialogs.Roles, uint64, bool) {
	return r.roles.get(w.String())
}

// cloneRoles is r with lists of its own: callers may change what they get.
func cloneRoles(r dialogs.Roles) dialogs.Roles {
	r.Admins, r.Principals = slices.Clone(r.Admins), slices.Clone(r.Principals)
	return r
}
