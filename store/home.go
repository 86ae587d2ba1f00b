package store

import (
	"context"
	"slices"
)

// maxViewers bounds the Home-tab viewers remembered per firm; past it new
// viewers still see their Home when they open it, just not live refreshes.
const maxViewers = 200

func (r *Redis) viewersKey(firm string) (string, error) {
	if err := checkFirm(firm); err != nil {
		return "", err
	}
	return r.prefix + "{" + firm + "}:home", nil
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
	if n >= maxViewers {
		return nil
	}
	if err := r.c.SAdd(ctx, k, user).Err(); err != nil {
		return unavailable("home viewers "+firm, err)
	}
	return nil
}

// Viewers lists the users whose Home tab shows firm, sorted.
func (r *Redis) Viewers(ctx context.Context, firm string) ([]string, error) {
	k, err := r.viewersKey(firm)
	if err != nil {
		return nil, err
	}
	users, err := r.c.SMembers(ctx, k).Result()
	if err != nil {
		return nil, unavailable("home viewers "+firm, err)
	}
	slices.Sort(users)
	return users, nil
}
