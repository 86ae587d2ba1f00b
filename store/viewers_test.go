package store

import (
	"context"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/redis/go-redis/v9"
)

func TestHomeViewers(t *testing.T) {
	rdb, prefix := redistest.New(t)
	s := New(rdb, prefix)
	ctx := context.Background()
	for _, u := range []string{"U2", "U1", "U2"} {
		if err := s.AddViewer(ctx, slackFirm("T1"), u); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Viewers(ctx, slackFirm("T1"))
	if err != nil || !reflect.DeepEqual(got, []string{"U1", "U2"}) {
		t.Fatalf("viewers %v %v, want [U1 U2]", got, err)
	}
	keys, _ := rdb.Keys(ctx, prefix+"*").Result()
	if len(keys) != 1 || !strings.HasPrefix(keys[0], prefix+"{T1}") {
		t.Fatalf("keys %v: want one key in the firm's hash tag", keys)
	}
	if err := s.AddViewer(ctx, slackFirm("T{1}"), "U1"); err == nil {
		t.Fatal("a firm id with braces must be refused")
	}
}

// smembersCounter counts the Home-viewer lookups that reach Redis.
type smembersCounter struct{ n atomic.Int64 }

func (c *smembersCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *smembersCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (c *smembersCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "smembers" {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

// After a commit, the Home refresh asks Redis for viewers only when the
// commit saw some; viewers added by another replica are found by the next
// commit.
func TestViewersAfterCommit(t *testing.T) {
	rdb, prefix := redistest.New(t)
	var count smembersCounter
	rdb.AddHook(&count)
	a, b := New(rdb, prefix), New(rdb, prefix) // two replicas
	ctx := context.Background()
	progress := map[string]dialogs.Progress{}
	firm := "T1"
	commit := func() {
		t.Helper()
		p := progress[firm]
		next := p.Clone()
		next.Version = p.Version + 1
		e := dialogs.Entry{Action: dialogs.ActConfirm, User: "U1", Version: next.Version}
		e.Seal(p.Seq, p.Head)
		next.Seq, next.Head = e.Seq, e.Hash
		if err := a.Commit(ctx, slackFirm(firm), p.Version, next, e); err != nil {
			t.Fatal(err)
		}
		progress[firm] = next
	}
	viewers := func(want []string, lookups int64) {
		t.Helper()
		got, err := a.Viewers(ctx, slackFirm(firm))
		if err != nil || !reflect.DeepEqual(got, want) || count.n.Load() != lookups {
			t.Fatalf("viewers %v (%v) after %d lookups; want %v after %d", got, err, count.n.Load(), want, lookups)
		}
	}
	commit()
	if !a.Unwatched(slackFirm(firm)) || a.Unwatched(slackFirm(firm)) || b.Unwatched(slackFirm(firm)) {
		t.Fatal("Unwatched must say once, on the replica that committed, that the commit saw no viewers")
	}
	commit()
	viewers(nil, 0) // the commit saw no viewers
	if err := b.AddViewer(ctx, slackFirm("T1"), "U9"); err != nil {
		t.Fatal(err)
	}
	viewers([]string{"U9"}, 1) // no commit since: asked
	commit()
	viewers([]string{"U9"}, 2) // the commit saw U9: asked
	firm = "T2"
	commit()                                                        // no viewers yet
	if err := a.AddViewer(ctx, slackFirm(firm), "U8"); err != nil { // here, before the refresh
		t.Fatal(err)
	}
	viewers([]string{"U8"}, 3)
}
