package store

import (
	"strings"
	"testing"
)

// FuzzWorkspaceOf: a key is given to a workspace only when the
// workspace's id stands whole in it — as the hash tag, before a ":" in the
// tag, or after an installation prefix — so no workspace ever takes a
// key of another whose id it is a prefix of.
func FuzzWorkspaceOf(f *testing.F) {
	for _, k := range []string{"{T1}:progress", "{T12:C1}:audit", "announce:sender:{T1}", "install:team:T1", "install:grid:T12",
		"install-lock:team:T1", "install:enterprise:E1", "roadmap:abc", "once:x", "{72f988bf-86f1-41af-91ab-2d7cd011db47:19:a}:audit", "x{T1}"} {
		f.Add(k)
	}
	r := &Redis{}
	f.Fuzz(func(t *testing.T, key string) {
		ws := r.workspaceOf(key)
		if ws == "" {
			return
		}
		whole := key == "install:team:"+ws || key == "install:grid:"+ws || key == "install-lock:team:"+ws ||
			strings.HasPrefix(key, "{"+ws+"}") || strings.HasPrefix(key, "{"+ws+":") || strings.HasPrefix(key, "announce:sender:{"+ws+"}")
		if !whole || strings.Contains(ws, ":") {
			t.Fatalf("workspaceOf(%q) = %q", key, ws)
		}
	})
}
