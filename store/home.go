package store

import (
	"context"
	"slices"
	"time"

	"github.com/caisbot/caisbot/internal/cache"
)

// maxViewers bounds the Home-tab viewers remembered per firm; past it new
// viewers still see their Home when they open it, just not live refreshes.
const maxViewers = 200

func (r *Redis) viewersKey(firm string) (string, error) {
	k, err := r.keys(firm)
	return k.home, err
}

// AddViewer remembers that user's Home tab shows firm.
func (r *Redis) AddViewer(ctx context.Context, firm, user string) error {
	k, err := r.viewersKey(firm)
	if err != nil {
		return err
	}
	n, err := r.c.SCard(ctx, k).Result()
	if err != nil {
		return unavailable("home viewers "+firm, err)
	}
	r.unwatched.note(firm, false)
	if n >= maxViewers {
		return nil
	}
	if err := r.c.SAdd(ctx, k, user).Err(); err != nil {
		return unavailable("home viewers "+firm, err)
	}
	return nil
}

// Viewers lists the users whose Home tab shows firm, sorted. Right after
// a commit that found the firm without viewers it answers none without
// asking Redis again: most firms never open the Home tab, and the lookup
// after every change was a twentieth of a click. A user who opens Home
// is added (AddViewer) before the Home is drawn, so a commit that saw no
// viewers happened before that drawing read the progress.
func (r *Redis) Viewers(ctx context.Context, firm string) ([]string, error) {
	k, err := r.viewersKey(firm)
	if err != nil {
		return nil, err
	}
	if r.unwatched.take(firm) {
		return nil, nil
	}
	users, err := r.c.SMembers(ctx, k).Result()
	if err != nil {
		return nil, unavailable("home viewers "+firm, err)
	}
	slices.Sort(users)
	return users, nil
}

// unwatched holds the firms whose latest commit here found no Home
// viewers, until the refresh that follows the commit asks; a mark older
// than unwatchedFor is not trusted.
type unwatched struct{ m cache.Map[string, time.Time] }

const (
	unwatchedFor = 2 * time.Second
	maxUnwatched = 4096 // firms whose refresh never asks (channel scope, Teams)
)

var unwatchedLimit = cache.Limit{Max: maxUnwatched, StartOver: true}

func (u *unwatched) note(firm string, none bool) {
	if !none {
		u.m.Delete(firm)
		return
	}
	u.m.Put(firm, time.Now(), unwatchedLimit)
}

func (u *unwatched) take(firm string) bool {
	at, ok := u.m.Take(firm)
	return ok && time.Since(at) < unwatchedFor
}
