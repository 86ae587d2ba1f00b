package store_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
)

// TestMain silences go-redis's global logger: the down-Redis tests would
// fill the output with its "failed to dial" lines.
func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	os.Exit(m.Run())
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// t0 has nanoseconds so the round trip proves RFC 3339 precision survives.
var t0 = time.Date(2026, 3, 2, 14, 30, 0, 123456789, time.UTC)

// newStore gives each test its own prefix on miniredis or, with REDIS_URL,
// on a real Redis.
func newStore(tb testing.TB) (*store.Redis, redis.UniversalClient, string) {
	tb.Helper()
	c, prefix := redistest.New(tb)
	return store.New(c, prefix), c, prefix
}

// change builds what the flow would commit after p: the next progress and
// its audit entry, chained as dialogs.Service does.
func change(p dialogs.Progress, user string) (dialogs.Progress, dialogs.Entry) {
	next := p.Clone()
	next.Version = p.Version + 1
	at := t0.Add(time.Duration(next.Version) * time.Minute)
	step := fmt.Sprintf("s%d", next.Version)
	next.Current = step
	next.Path = append(next.Path, dialogs.Confirmation{Step: step, Choice: "yes", User: user, At: at})
	next.Last = &dialogs.Change{Action: dialogs.ActConfirm, Step: step, User: user, At: at}
	e := dialogs.Entry{At: at, User: user, Action: dialogs.ActConfirm, Step: step, Choice: "yes", Card: p.Version, Version: next.Version}
	e.Seal(p.Seq, p.Head)
	next.Seq, next.Head = e.Seq, e.Hash
	return next, e
}

// commitN commits n changes to firm and returns the final progress.
func commitN(tb testing.TB, s *store.Redis, firm string, n int) dialogs.Progress {
	tb.Helper()
	ctx := context.Background()
	var p dialogs.Progress
	for range n {
		next, e := change(p, "U1")
		if err := s.Commit(ctx, slackFirm(firm), p.Version, next, e); err != nil {
			tb.Fatalf("commit v%d: %v", next.Version, err)
		}
		p = next
	}
	return p
}

func seqs(entries []dialogs.Entry) []int64 {
	out := make([]int64, len(entries))
	for i, e := range entries {
		out[i] = e.Seq
	}
	return out
}

// slackFirm is the Slack firm whose key is key ("T1" or "T1:C1"), valid
// or not (tests of refused ids use it too).
func slackFirm(key string) firm.ID {
	ws, ch, _ := strings.Cut(key, ":")
	return firm.ID{Platform: firm.Slack, Workspace: ws, Channel: ch}
}

func slackFirms(keys []string) []firm.ID {
	out := make([]firm.ID, len(keys))
	for i, k := range keys {
		out[i] = slackFirm(k)
	}
	return out
}

// keysOf lists the firms' keys, as the index held them before firms said
// their platform.
func keysOf(firms []firm.ID) []string {
	out := make([]string, len(firms))
	for i, f := range firms {
		out[i] = f.Key()
	}
	return out
}
