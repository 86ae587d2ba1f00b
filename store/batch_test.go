package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
)

func TestSettleRecordsThenClaims(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	o := func(firm string) ledger.Occurrence { x := occ; x.Firm = slackFirm(firm); return x }
	_, claimed, err := s.Settle(ctx, nil, []ledger.Occurrence{o("T1"), o("T2"), o("T3")}, "A", t0, lease)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("Settle = %v, %v", claimed, err)
	}
	for i, c := range claimed {
		if c.Outcome != ledger.Claimed {
			t.Errorf("claim %d = %+v; want claimed", i, c)
		}
	}
	done := []ledger.Settlement{{Occurrence: o("T1"), State: ledger.StateSent, Ref: "1.1"}, {Occurrence: o("T2"), State: ledger.StateGone}}
	rec, claimed, err := s.Settle(ctx, done, []ledger.Occurrence{o("T1"), o("T3"), o("T4")}, "B", t0, lease)
	if err != nil {
		t.Fatal(err)
	}
	wantRec := []ledger.Claim{{Outcome: ledger.Done, State: "sent", Ref: "1.1"}, {Outcome: ledger.Done, State: "gone"}}
	wantClaims := []ledger.Claim{{Outcome: ledger.Done, State: "sent", Ref: "1.1"}, {Outcome: ledger.Held, State: "claimed"}, {Outcome: ledger.Claimed, State: "claimed"}}
	if !reflect.DeepEqual(rec, wantRec) || !reflect.DeepEqual(claimed, wantClaims) {
		t.Fatalf("Settle:\n recorded %+v\n claimed  %+v\nwant\n recorded %+v\n claimed  %+v", rec, claimed, wantRec, wantClaims)
	}
	if rec, claimed, err := s.Settle(ctx, nil, nil, "B", t0, lease); rec != nil || claimed != nil || err != nil {
		t.Fatalf("empty Settle = %v, %v, %v", rec, claimed, err)
	}
	if _, _, err := s.Settle(ctx, nil, []ledger.Occurrence{o("T{1}")}, "B", t0, lease); !errors.Is(err, store.ErrBadFirm) {
		t.Fatalf("Settle with a bad firm = %v; want ErrBadFirm", err)
	}
}

// Settle sends its scripts by digest. A Redis that has lost them (it
// restarted, or failed over) answers NOSCRIPT: the claims and results
// must still be made, once. On miniredis only: SCRIPT FLUSH empties a
// shared server's cache for everyone.
func TestSettleAfterRedisLostItsScripts(t *testing.T) {
	m := miniredis.RunT(t)
	c := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { _ = c.Close() })
	s, ctx := store.New(c, "test:"), context.Background()
	o := func(firm string) ledger.Occurrence { x := occ; x.Firm = slackFirm(firm); return x }
	// A fresh server has never seen them either.
	if _, claimed, err := s.Settle(ctx, nil, []ledger.Occurrence{o("T1"), o("T2")}, "A", t0, lease); err != nil || len(claimed) != 2 || claimed[1].Outcome != ledger.Claimed {
		t.Fatalf("first Settle = %+v, %v; want both claimed", claimed, err)
	}
	if err := c.Do(ctx, "SCRIPT", "FLUSH").Err(); err != nil {
		t.Fatal(err)
	}
	// A run's first batch carries claims only; the next, results too,
	// and a result must still be recorded before a claim behind it.
	if _, claimed, err := s.Settle(ctx, nil, []ledger.Occurrence{o("T3")}, "B", t0, lease); err != nil || claimed[0].Outcome != ledger.Claimed {
		t.Fatalf("Settle after SCRIPT FLUSH = %+v, %v; want T3 claimed", claimed, err)
	}
	done := []ledger.Settlement{{Occurrence: o("T1"), State: ledger.StateSent, Ref: "1.1"}}
	rec, claimed, err := s.Settle(ctx, done, []ledger.Occurrence{o("T1"), o("T2"), o("T3")}, "B", t0, lease)
	want := []ledger.Claim{{Outcome: ledger.Done, State: "sent", Ref: "1.1"}, {Outcome: ledger.Held, State: "claimed"}, {Outcome: ledger.Claimed, State: "claimed"}}
	if err != nil || !reflect.DeepEqual(rec, want[:1]) || !reflect.DeepEqual(claimed, want) {
		t.Fatalf("Settle after SCRIPT FLUSH = %+v, %+v, %v; want %+v and %+v", rec, claimed, err, want[:1], want)
	}
	if n, _ := c.HGet(ctx, "test:{T1}:announce:"+o("T1").ID(), "n").Int(); n != 1 {
		t.Fatalf("T1 claimed %d times; want once", n)
	}
}

func TestLoadMany(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	p1, p2 := commitN(t, s, "T1", 2), commitN(t, s, "T2:C1", 1)
	got, err := s.LoadMany(ctx, slackFirms([]string{"T1", "T0NEVER", "T2:C1"}))
	if err != nil || !reflect.DeepEqual(got, []dialogs.Progress{p1, {}, p2}) {
		t.Fatalf("LoadMany = %+v, %v", got, err)
	}
	if got, err := s.LoadMany(ctx, slackFirms(nil)); err != nil || len(got) != 0 {
		t.Fatalf("LoadMany(nil) = %v, %v", got, err)
	}
	if _, err := s.LoadMany(ctx, slackFirms([]string{"T 1"})); !errors.Is(err, store.ErrBadFirm) {
		t.Fatalf("LoadMany with a bad firm = %v; want ErrBadFirm", err)
	}
}
