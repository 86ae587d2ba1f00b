package store

import (
	"context"
	"slices"
	"time"

	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/cache"
)

// A firm's live viewers are the users who keep a view of its progress open
// that the adapter refreshes after every change (Slack's App Home tab
// today). The store keeps the set beside the firm's progress, so the
// commit script can say whether there is anyone to refresh; what a view
// is, is the adapter's business.

// maxViewers bounds the viewers remembered per firm; past it new viewers
// still see their view when they open it, just not live refreshes.
const maxViewers = 200

func (r *Redis) viewersKey(f firm.ID) (string, error) {
	k, err := r.keys(f)
	return k.viewers, err
}

// AddViewer remembers that user keeps a live view of f open.
func (r *Redis) AddViewer(ctx context.Context, f firm.ID, user string) error {
	firm := f.String()
	k, err := r.viewersKey(f)
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

// Viewers lists the users keeping a live view of f open, sorted. Right after
// a commit that found the firm without viewers it answers none without
// asking Redis again: most firms never open the Home tab, and the lookup
// after every change was a twentieth of a click. A user who opens Home
// is added (AddViewer) before the Home is drawn, so a commit that saw no
// viewers happened before that drawing read the progress.
func (r *Redis) Viewers(ctx context.Context, f firm.ID) ([]string, error) {
	firm := f.String()
	k, err := r.viewersKey(f)
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

// Unwatched reports, without asking Redis, that f's latest commit here
// found no viewers, so that the caller need not even schedule a refresh;
// like Viewers, it uses up that knowledge. false means only that the
// viewers must be asked for.
func (r *Redis) Unwatched(f firm.ID) bool { return r.unwatched.take(f.String()) }

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
