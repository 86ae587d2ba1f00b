package store

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/firm"
)

// One Slack workspace's keys, for the operator's `caisbot workspace
// delete`: every key whose hash tag names the workspace or one of its
// channels ("{T1}:…", "{T1:C1}:…": progress, audit trail, Home viewers,
// announcement ledger; "announce:sender:{T1}"), its installation record,
// its link to an organization and its refresh lock; and its members of
// the firms index. A key belongs to the workspace only when the id
// before any ":" in the tag is exactly the workspace's id, so workspace
// T1 never takes T12's keys. New per-workspace keys must keep this
// layout (the workspace as the tag, or before ":" in it) to be found.
// Keys with no workspace in them (roadmap texts, delivery claims, OAuth
// states) are not the workspace's, and an org-wide installation
// (install:enterprise:…) serves other workspaces too: neither is touched.

// WorkspaceData is what WorkspaceKeys found.
type WorkspaceData struct {
	Keys    []string // full Redis keys, sorted
	Members []string // members of the firms index
}

// WorkspaceKeys lists the keys and index members of Slack workspace team.
func (r *Redis) WorkspaceKeys(ctx context.Context, team string) (WorkspaceData, error) {
	if err := checkKeyPart(team); err != nil || strings.Contains(team, ":") {
		return WorkspaceData{}, ErrBadFirm
	}
	var d WorkspaceData
	err := r.scan(ctx, r.prefix+"*", func(key string) {
		if r.workspaceOf(strings.TrimPrefix(key, r.prefix)) == team {
			d.Keys = append(d.Keys, key)
		}
	})
	if err != nil {
		return WorkspaceData{}, unavailable("list keys", err)
	}
	members, err := r.c.SMembers(ctx, r.firmsKey()).Result()
	if err != nil {
		return WorkspaceData{}, unavailable("firms", err)
	}
	for _, m := range members {
		if f, err := firm.ParseMember(m); err == nil && f.Platform == firm.Slack && f.Workspace == team {
			d.Members = append(d.Members, m)
		}
	}
	slices.Sort(d.Keys)
	slices.Sort(d.Members)
	return d, nil
}

// installPrefixes are the installation keys that name one workspace.
var installPrefixes = []string{"install:team:", "install:grid:", "install-lock:team:"}

// workspaceOf is the Slack workspace a key (without the prefix) belongs
// to, or "" for a key of no one workspace.
func (r *Redis) workspaceOf(key string) string {
	for _, p := range installPrefixes {
		if id, ok := strings.CutPrefix(key, p); ok {
			if strings.ContainsAny(id, ":{}") {
				return ""
			}
			return id
		}
	}
	open := strings.IndexByte(key, '{')
	end := strings.IndexByte(key, '}')
	if open < 0 || end < open {
		return ""
	}
	tag := key[open+1 : end]
	if ws, ok := strings.CutPrefix(tag, "roles:"+string(firm.Slack)+"/"); ok && open == 0 {
		// The workspace's roles log and lists (rolesKeys).
		if strings.ContainsAny(ws, ":/") {
			return ""
		}
		return ws
	}
	if !strings.HasPrefix(key, "{") && !strings.HasPrefix(key, "announce:sender:{") {
		return "" // a tag in a layout this file does not know
	}
	f, err := firm.Legacy(tag) // "T1" or "T1:C1" (a Teams tenant reads as Teams)
	if err != nil || f.Platform != firm.Slack {
		return ""
	}
	return f.Workspace
}

// DeleteWorkspace deletes what WorkspaceKeys found, returning how many
// keys went.
func (r *Redis) DeleteWorkspace(ctx context.Context, d WorkspaceData) (n int64, err error) {
	// Replicas keeping the deleted roles drop them, even when only some
	// keys went ("" is every workspace's: deletions are rare, and
	// WorkspaceData names none).
	defer func() {
		if perr := r.c.Publish(context.WithoutCancel(ctx), r.rolesChannel(), "").Err(); perr != nil && err == nil {
			err = unavailable("roles changed", perr)
		}
	}()
	for i := 0; i < len(d.Keys); i += 100 {
		cmds, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range d.Keys[i:min(i+100, len(d.Keys))] {
				p.Del(ctx, k) // one key per DEL: keys of many slots
			}
			return nil
		})
		if err != nil {
			return n, unavailable("delete keys", err)
		}
		for _, c := range cmds {
			n += c.(*redis.IntCmd).Val()
		}
	}
	if len(d.Members) > 0 {
		if err := r.c.SRem(ctx, r.firmsKey(), toAny(d.Members)...).Err(); err != nil {
			return n, unavailable("firms", err)
		}
	}
	return n, nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// scan calls fn with every key matching match, on every primary of a
// cluster (concurrently there: fn is called under a lock).
func (r *Redis) scan(ctx context.Context, match string, fn func(string)) error {
	var mu sync.Mutex
	each := func(ctx context.Context, c redis.Cmdable) error {
		it := c.Scan(ctx, 0, match, 1000).Iterator()
		for it.Next(ctx) {
			mu.Lock()
			fn(it.Val())
			mu.Unlock()
		}
		return it.Err()
	}
	if c, ok := r.c.(*redis.ClusterClient); ok {
		return c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return each(ctx, m) })
	}
	return each(ctx, r.c)
}
