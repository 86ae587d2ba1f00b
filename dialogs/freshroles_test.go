package dialogs

import (
	"context"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/firm"
)

// keepingStore answers LoadWithRoles with the roles a replica kept before
// a change it has not heard of yet, and LoadWithFreshRoles with what the
// roles store holds (store.Redis while subscribed).
type keepingStore struct {
	*memStore
	roles        *memRoles
	kept         Roles
	stale, fresh int
}

func (k *keepingStore) LoadWithRoles(ctx context.Context, f firm.ID) (Progress, Roles, error) {
	k.stale++
	p, err := k.Load(ctx, f)
	return p, k.kept.clone(), err
}

func (k *keepingStore) LoadWithFreshRoles(ctx context.Context, f firm.ID) (Progress, Roles, error) {
	k.fresh++
	p, err := k.Load(ctx, f)
	r, _ := k.roles.LoadRoles(ctx, f.Space())
	return p, r, err
}

// An admin removed through another replica a moment ago may still see the
// admin's card on this one, but cannot undo, reset or set a date there.
func TestRoleGatedActionsReadRolesFresh(t *testing.T) {
	s, m, roles := newRolesService(t)
	roleCmd(t, s, testFirm, installer, "admins add x", erin)
	command(t, s, "U1", "") // the replica keeps the roles with Erin
	k := &keepingStore{memStore: m, roles: roles}
	k.kept, _ = roles.LoadRoles(context.Background(), testFirm.Space())
	s.Store = k
	roleCmd(t, s, testFirm, installer, "admins remove x", erin)

	press(t, s, command(t, s, "U1", ""), "Yes", "U1", "")
	card := command(t, s, erin, "") // drawn with the kept roles: an admin's buttons
	for _, tc := range []struct {
		what       string
		do         func() Reply
		fresh      bool
		wantTitle  string
		wantInBody string
	}{
		{"her card, from the kept roles", func() Reply { return command(t, s, erin, "") }, false,
			"Step 2: Register for CAT CAIS", "As an admin, you can set"},
		{"undo", func() Reply { return command(t, s, erin, "undo") }, true, "Admins only", ""},
		{"reset", func() Reply { return command(t, s, erin, "reset") }, true, "Admins only", ""},
		{"a target date", func() Reply { return command(t, s, erin, "deadline 2 2027-06-05") }, true, "Admins only", ""},
		{"a target date by its button", func() Reply {
			return clickAs(t, s, card, "Set target date…", erin, map[string]string{"date": "2027-07-01"})
		}, true, "Admins only", ""},
	} {
		before, entries := *k, len(trail(m))
		r := tc.do()
		if r.Title != tc.wantTitle || !strings.Contains(body(r), tc.wantInBody) {
			t.Errorf("%s: %q %q; want %q with %q", tc.what, r.Title, body(r), tc.wantTitle, tc.wantInBody)
		}
		if fresh := k.fresh > before.fresh; fresh != tc.fresh {
			t.Errorf("%s: roles read from Redis %t; want %t", tc.what, fresh, tc.fresh)
		}
		if len(trail(m)) != entries {
			t.Errorf("%s: wrote to the trail", tc.what)
		}
	}
}
