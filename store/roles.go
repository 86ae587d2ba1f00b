package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// Roles per workspace (dialogs.RoleStore): a hash (v = version, r = JSON
// of dialogs.Roles) and the roles log, a list of JSON dialogs.Entry like a
// firm's audit trail. Both keys share the hash tag "{roles:<workspace>}",
// so one script changes them together.

var (
	_ dialogs.RoleStore        = (*Redis)(nil)
	_ dialogs.ProgressAndRoles = (*Redis)(nil)
)

type rolesKeys struct{ state, log string }

func (r *Redis) rolesKeys(w firm.Workspace) (rolesKeys, error) {
	if !w.Platform.Valid() {
		return rolesKeys{}, fmt.Errorf("%w: workspace %q names no platform", ErrBadFirm, w.String())
	}
	if err := checkKeyPart(w.ID); err != nil {
		return rolesKeys{}, err
	}
	base := r.prefix + "{roles:" + w.String() + "}:"
	return rolesKeys{state: base + "state", log: base + "log"}, nil
}

// LoadRoles reads a workspace's roles; one never changed has the zero Roles.
func (r *Redis) LoadRoles(ctx context.Context, w firm.Workspace) (dialogs.Roles, error) {
	k, err := r.rolesKeys(w)
	if err != nil {
		return dialogs.Roles{}, err
	}
	kept, gen, ok := r.cachedRolesOf(w)
	if ok {
		return kept, nil
	}
	vals, err := r.c.HMGet(ctx, k.state, "v", rolesField).Result()
	if err != nil {
		return dialogs.Roles{}, unavailable("roles "+w.String(), err)
	}
	return r.rolesRead(w, vals, gen)
}

// rolesRead decodes roles read under cache generation gen and keeps them.
func (r *Redis) rolesRead(w firm.Workspace, vals []any, gen uint64) (dialogs.Roles, error) {
	ro, err := decodeRoles(w, vals)
	if err == nil {
		r.roles.put(w.String(), ro, gen)
	}
	return ro, err
}

// LoadWithRoles reads firm f's progress and its workspace's roles in one
// round trip: the progress alone when the roles are kept (rolescache.go),
// else both pipelined (their keys are in different cluster slots, so not
// one transaction: a role change landing between the two reads is as if
// it landed just after).
func (r *Redis) LoadWithRoles(ctx context.Context, f firm.ID) (dialogs.Progress, dialogs.Roles, error) {
	kept, gen, ok := r.cachedRolesOf(f.Space())
	if ok {
		p, err := r.Load(ctx, f)
		return p, kept, err
	}
	return r.loadBoth(ctx, f, gen)
}

// LoadWithFreshRoles is LoadWithRoles reading the roles from Redis even
// when they are kept (dialogs.FreshRoles): for the decisions a revoked
// role must not make a moment longer than Redis says.
func (r *Redis) LoadWithFreshRoles(ctx context.Context, f firm.ID) (dialogs.Progress, dialogs.Roles, error) {
	_, gen, _ := r.cachedRolesOf(f.Space())
	return r.loadBoth(ctx, f, gen)
}

// loadBoth reads f's progress and roles in one pipelined round trip and
// keeps the roles read under generation gen.
func (r *Redis) loadBoth(ctx context.Context, f firm.ID, gen uint64) (dialogs.Progress, dialogs.Roles, error) {
	k, err := r.keys(f)
	if err != nil {
		return dialogs.Progress{}, dialogs.Roles{}, err
	}
	rk, err := r.rolesKeys(f.Space())
	if err != nil {
		return dialogs.Progress{}, dialogs.Roles{}, err
	}
	pipe := r.c.Pipeline()
	progress := pipe.HMGet(ctx, k.progress, "v", progressField)
	roles := pipe.HMGet(ctx, rk.state, "v", rolesField)
	if _, err := pipe.Exec(ctx); err != nil {
		return dialogs.Progress{}, dialogs.Roles{}, unavailable("load "+f.String(), err)
	}
	p, err := r.progressOf(f, k, progress.Val())
	if err != nil {
		return dialogs.Progress{}, dialogs.Roles{}, err
	}
	ro, err := r.rolesRead(f.Space(), roles.Val(), gen)
	return p, ro, err
}

func decodeRoles(w firm.Workspace, vals []any) (dialogs.Roles, error) {
	var out dialogs.Roles
	v, vok := vals[0].(string)
	body, bok := vals[1].(string)
	switch {
	case !vok && !bok:
		return out, nil
	case !vok || !bok:
		return out, dialogs.Integrity("roles of "+w.String(), "the stored roles are half written", nil)
	}
	version, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return out, dialogs.Integrity("roles of "+w.String(), "the stored roles version is not a number", err)
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		return out, dialogs.Integrity("roles of "+w.String(), "the stored roles cannot be read", err)
	}
	out.Version = version
	return out, nil
}

// CommitRoles stores next and appends entry if the stored version still
// equals expect; otherwise dialogs.ErrConflict, and nothing is written.
func (r *Redis) CommitRoles(ctx context.Context, w firm.Workspace, expect int64, next dialogs.Roles, entry dialogs.Entry) error {
	k, err := r.rolesKeys(w)
	if err != nil {
		return err
	}
	body, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("store: roles of %s: %w", w, err)
	}
	e, err := json.Marshal(entry)
	if err != nil {
		return fmt.Errorf("store: roles of %s: %w", w, err)
	}
	// The firm's commit script: the same version check, sequence guard and
	// replay answer (1) for a retried commit.
	res, err := commitScript.Run(ctx, r.c, []string{k.state, k.log}, expect, next.Version, body, e, entry.Seq, rolesField, entry.Prev, r.rolesChannel(), w.String()).Int()
	// Whatever the outcome, what this replica kept is behind: its next
	// request reads (it must not wait for its own message to arrive).
	r.roles.drop(w.String())
	if err != nil {
		return scriptError("roles of "+w.String(), err)
	}
	if res == 0 {
		return dialogs.ErrConflict
	}
	return nil
}

// RolesTrail reads the roles and the whole roles log in one MULTI/EXEC.
func (r *Redis) RolesTrail(ctx context.Context, w firm.Workspace) (dialogs.Roles, []dialogs.Entry, error) {
	k, err := r.rolesKeys(w)
	if err != nil {
		return dialogs.Roles{}, nil, err
	}
	var state *redis.SliceCmd
	var log *redis.StringSliceCmd
	_, err = r.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		state = p.HMGet(ctx, k.state, "v", rolesField)
		log = p.LRange(ctx, k.log, 0, -1)
		return nil
	})
	if err != nil {
		return dialogs.Roles{}, nil, unavailable("roles log "+w.String(), err)
	}
	roles, err := decodeRoles(w, state.Val())
	if err != nil {
		return dialogs.Roles{}, nil, err
	}
	entries, err := decodeEntries("roles of "+w.String(), log.Val(), 0)
	return roles, entries, err
}
