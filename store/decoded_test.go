package store_test

import (
	"context"
	"testing"

	"github.com/caisbot/caisbot/store"
)

// Loads are served from decoded copies of what Redis holds; these tests
// pin that a copy is never stale and never shared.
func TestLoadSeesEveryWriter(t *testing.T) {
	ctx := context.Background()
	a, c, prefix := newStore(t)
	b := store.New(c, prefix) // another replica: a's cache never hears of its writes
	commitN(t, a, "F1", 2)
	if _, err := a.Load(ctx, slackFirm("F1")); err != nil { // a has it cached now
		t.Fatal(err)
	}
	p, err := b.Load(ctx, slackFirm("F1"))
	if err != nil {
		t.Fatal(err)
	}
	next, e := change(p, "U2")
	if err := b.Commit(ctx, slackFirm("F1"), p.Version, next, e); err != nil {
		t.Fatal(err)
	}
	got, err := a.Load(ctx, slackFirm("F1"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 3 || got.Current != "s3" || got.Last.User != "U2" || len(got.Path) != 3 {
		t.Fatalf("replica a loaded %+v, want version 3 at s3 by U2", got)
	}
}

func TestLoadSeesRawOverwrite(t *testing.T) {
	ctx := context.Background()
	s, c, prefix := newStore(t)
	commitN(t, s, "F1", 1)
	if _, err := s.Load(ctx, slackFirm("F1")); err != nil {
		t.Fatal(err)
	}
	// An operator restores an older backup: same version, other content.
	if err := c.HSet(ctx, prefix+"{F1}:progress", "v", "1", "p", `{"v":1,"cur":"restored"}`).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, slackFirm("F1"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Current != "restored" || len(got.Path) != 0 {
		t.Fatalf("after the restore Load gave %+v, want the restored progress", got)
	}
}

func TestLoadReturnsOwnCopy(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	commitN(t, s, "F1", 2)
	for range 2 { // first from the commit's cache entry, then from a load's
		p, err := s.Load(ctx, slackFirm("F1"))
		if err != nil {
			t.Fatal(err)
		}
		p.Path[0].Step = "mutated"
		p.Last.User = "mutated"
		p.Targets = map[string]string{"x": "y"}
	}
	got, err := s.Load(ctx, slackFirm("F1"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Path[0].Step != "s1" || got.Last.User != "U1" || got.Targets != nil {
		t.Fatalf("a caller's changes leaked into the next Load: %+v", got)
	}
}
