package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
)

// An entry whose Prev is not the hash of the stored trail's last entry is
// refused as an integrity failure, and nothing is written.
func TestCommitRefusesAnEntryNotAfterTheHead(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		before int
		prev   func(p dialogs.Progress) string
	}{
		{"first entry claims a predecessor", 0, func(dialogs.Progress) string { return "00ff" }},
		{"another head", 3, func(dialogs.Progress) string { return "00ff" }},
		{"the head before last", 3, func(p dialogs.Progress) string { return p.Head + "0" }},
		{"no head on a trail that has one", 3, func(dialogs.Progress) string { return "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, _ := newStore(t)
			p := commitN(t, s, "T1", tc.before)
			next, e := change(p, "U2")
			e.Seal(p.Seq, tc.prev(p))
			next.Head = e.Hash
			err := s.Commit(ctx, slackFirm("T1"), p.Version, next, e)
			if !errors.Is(err, dialogs.ErrIntegrity) || !errors.Is(err, store.ErrSequence) {
				t.Fatalf("commit after a head that is not stored: %v, want an integrity failure", err)
			}
			got, _ := s.Load(ctx, slackFirm("T1"))
			entries, _ := s.Audit(ctx, slackFirm("T1"), 0, -1)
			if got.Version != p.Version || len(entries) != tc.before {
				t.Fatalf("refused commit wrote: version %d, %d entries; want %d, %d", got.Version, len(entries), p.Version, tc.before)
			}
		})
	}
}

// snapshot is a firm's keys as a backup holds them.
type snapshot struct {
	progress map[string]string
	audit    []string
}

func takeSnapshot(t *testing.T, c redis.UniversalClient, prefix, team string) snapshot {
	t.Helper()
	ctx := context.Background()
	p, err := c.HGetAll(ctx, prefix+"{"+team+"}:progress").Result()
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.LRange(ctx, prefix+"{"+team+"}:audit", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{p, a}
}

// restore puts the firm's keys back as the snapshot had them.
func (s snapshot) restore(t *testing.T, c redis.UniversalClient, prefix, team string) {
	t.Helper()
	ctx := context.Background()
	kp, ka := prefix+"{"+team+"}:progress", prefix+"{"+team+"}:audit"
	if err := c.Del(ctx, kp, ka).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.HSet(ctx, kp, s.progress).Err(); err != nil {
		t.Fatal(err)
	}
	for _, e := range s.audit {
		if err := c.RPush(ctx, ka, e).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

func service(t *testing.T, s *store.Redis) *dialogs.Service {
	t.Helper()
	now := t0
	svc, err := dialogs.NewService(&dialogs.Flow{Roadmap: dialogs.Default(), Loc: time.UTC}, s, func() time.Time {
		now = now.Add(time.Minute)
		return now
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// pressPrimary clicks the card's primary button (the first if none is).
func pressPrimary(t *testing.T, svc *dialogs.Service, card dialogs.Reply, user string) dialogs.Reply {
	t.Helper()
	if len(card.Actions) == 0 {
		t.Fatalf("card %q has no buttons", card.Title)
	}
	a := card.Actions[0]
	for _, b := range card.Actions {
		if b.Style == dialogs.Primary {
			a = b
			break
		}
	}
	r, err := svc.Click(context.Background(), slackFirm("T1"), dialogs.Event{User: user, Channel: "C1"}, a.Value)
	if err != nil {
		t.Fatalf("click %q on %q: %v", a.Label, card.Title, err)
	}
	return r
}

// A click commits on the progress this replica remembers. Redis restored
// from an older snapshot, then moved by another replica to the remembered
// version with other entries, must not take that commit: the chain would
// fork. The click is made afresh on what is stored instead.
func TestRestoredRedisCannotForkTheChain(t *testing.T) {
	ctx := context.Background()
	c, prefix := redistest.New(t)
	a, b := store.New(c, prefix), store.New(c, prefix) // two replicas
	alice, bob := service(t, a), service(t, b)
	card, err := alice.Command(ctx, slackFirm("T1"), dialogs.Event{User: "UALICE"}, dialogs.Command{Name: dialogs.CmdNext})
	if err != nil {
		t.Fatal(err)
	}
	card = pressPrimary(t, alice, card, "UALICE") // v1
	backup := takeSnapshot(t, c, prefix, "T1")
	card = pressPrimary(t, alice, card, "UALICE") // v2, remembered by a
	remembered, ok := a.Remembered(slackFirm("T1"))
	if !ok || remembered.Version != 2 {
		t.Fatalf("replica a remembers %+v, %t; want version 2", remembered, ok)
	}

	backup.restore(t, c, prefix, "T1")
	bobs, err := bob.Command(ctx, slackFirm("T1"), dialogs.Event{User: "UBOB"}, dialogs.Command{Name: dialogs.CmdNext})
	if err != nil {
		t.Fatal(err)
	}
	pressPrimary(t, bob, bobs, "UBOB") // v2 again, with Bob's entry
	stored, err := b.Load(ctx, slackFirm("T1"))
	if err != nil || stored.Version != 2 || stored.Head == remembered.Head {
		t.Fatalf("after the restore: %+v, %v; want version 2 with another head", stored, err)
	}

	pressPrimary(t, alice, card, "UALICE") // the card of a's v2
	p, entries, err := a.Trail(ctx, slackFirm("T1"))
	if err != nil {
		t.Fatal(err)
	}
	if brk := dialogs.VerifyChain(entries, p.Head); brk != nil {
		t.Fatalf("the chain forked: %v", brk)
	}
	for _, e := range entries {
		if e.Prev == remembered.Head {
			t.Fatalf("entry %d extends the head Redis no longer holds", e.Seq)
		}
	}
	if len(entries) != 3 || entries[1].User != "UBOB" || entries[2].Prev != stored.Head {
		t.Fatalf("trail %v; want Alice's click after Bob's entry", seqs(entries))
	}
}
