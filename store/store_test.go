package store_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
)

func TestLoadUnknownFirm(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	p, err := s.Load(ctx, slackFirm("T0NEVER"))
	if err != nil || !reflect.DeepEqual(p, dialogs.Progress{}) {
		t.Fatalf("Load = %+v, %v; want zero progress", p, err)
	}
	entries, err := s.Audit(ctx, slackFirm("T0NEVER"), 0, -1)
	if err != nil || len(entries) != 0 {
		t.Fatalf("Audit = %v, %v; want none", entries, err)
	}
}

func TestCommitLoadRoundTrip(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	next, e := change(dialogs.Progress{}, "U1")
	next.Path[0].Agents = []string{"Acme Clearing", "Beta Bureau"}
	next.Targets = map[string]string{"certify": "2027-06-05"}
	next.Channels = map[string]dialogs.Subscription{"C1": {User: "U1", At: t0}}
	if err := s.Commit(ctx, slackFirm("T1"), 0, next, e); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, slackFirm("T1"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, next) {
		t.Fatalf("Load after Commit:\n got %+v\nwant %+v", got, next)
	}
	entries, err := s.Audit(ctx, slackFirm("T1"), 0, -1)
	if err != nil || len(entries) != 1 || !reflect.DeepEqual(entries[0], e) {
		t.Fatalf("Audit = %+v, %v; want [%+v]", entries, err, e)
	}
}

func TestConflictWritesNothing(t *testing.T) {
	tests := []struct {
		name   string
		expect int64
	}{
		{"behind", 1},
		{"ahead", 5},
		{"new firm assumed", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _ := newStore(t)
			ctx := context.Background()
			want := commitN(t, s, "T1", 2)
			stale := dialogs.Progress{Version: tt.expect}
			next, e := change(stale, "U2")
			if err := s.Commit(ctx, slackFirm("T1"), tt.expect, next, e); !errors.Is(err, dialogs.ErrConflict) {
				t.Fatalf("Commit = %v; want ErrConflict", err)
			}
			assertState(t, s, "T1", want, 2)
		})
	}
}

// assertState checks that the firm's progress is want and its trail has n
// entries.
func assertState(t *testing.T, s dialogs.Store, firm string, want dialogs.Progress, n int) {
	t.Helper()
	ctx := context.Background()
	got, err := s.Load(ctx, slackFirm(firm))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Load = %+v, %v; want %+v", got, err, want)
	}
	entries, err := s.Audit(ctx, slackFirm(firm), 0, -1)
	if err != nil || len(entries) != n {
		t.Errorf("Audit has %d entries (err %v); want %d", len(entries), err, n)
	}
}

func TestConcurrentCommitsOneWins(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			next, e := change(dialogs.Progress{}, "U"+string(rune('A'+i)))
			errs[i] = s.Commit(ctx, slackFirm("T1"), 0, next, e)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, dialogs.ErrConflict):
			t.Errorf("Commit = %v; want nil or ErrConflict", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d commits succeeded; want exactly 1", won)
	}
	entries, err := s.Audit(ctx, slackFirm("T1"), 0, -1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("Audit = %d entries, %v; want 1", len(entries), err)
	}
	if p, _ := s.Load(ctx, slackFirm("T1")); p.Version != 1 || p.Head != entries[0].Hash {
		t.Fatalf("Load = v%d head %q; want v1 head of the one entry", p.Version, p.Head)
	}
}

func TestAuditRanges(t *testing.T) {
	s, _, _ := newStore(t)
	commitN(t, s, "T1", 5)
	tests := []struct {
		start, stop int64
		want        []int64
	}{
		{0, -1, []int64{1, 2, 3, 4, 5}},
		{0, 0, []int64{1}},
		{-1, -1, []int64{5}},
		{-2, -1, []int64{4, 5}},
		{1, 3, []int64{2, 3, 4}},
		{3, 1, []int64{}},
		{10, 20, []int64{}},
		{-100, 1, []int64{1, 2}},
		{3, 100, []int64{4, 5}},
	}
	for _, tt := range tests {
		entries, err := s.Audit(context.Background(), slackFirm("T1"), tt.start, tt.stop)
		if err != nil || !slices.Equal(seqs(entries), tt.want) {
			t.Errorf("Audit(%d, %d) = %v, %v; want %v", tt.start, tt.stop, seqs(entries), err, tt.want)
		}
	}
}

func TestReplayedCommitIsNotAConflict(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	p := commitN(t, s, "T1", 1)
	next, e := change(p, "U2")
	for i := range 2 {
		if err := s.Commit(ctx, slackFirm("T1"), p.Version, next, e); err != nil {
			t.Fatalf("Commit #%d = %v; want nil (a replay of the same commit)", i+1, err)
		}
	}
	assertState(t, s, "T1", next, 2)
	other, e2 := change(p, "U3") // same version, different entry: a real conflict
	if err := s.Commit(ctx, slackFirm("T1"), p.Version, other, e2); !errors.Is(err, dialogs.ErrConflict) {
		t.Fatalf("Commit of another change = %v; want ErrConflict", err)
	}
}

func TestFirmsIndex(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	if firms, err := s.Firms(ctx); err != nil || len(firms) != 0 {
		t.Fatalf("Firms = %v, %v; want none", firms, err)
	}
	commitN(t, s, "T2", 3)
	commitN(t, s, "T1:C1", 1)
	firms, err := s.Firms(ctx)
	if err != nil || !slices.Equal(keysOf(firms), []string{"T1:C1", "T2"}) {
		t.Fatalf("Firms = %v, %v; want [T1:C1 T2]", firms, err)
	}
}

// A firm the index names twice (its bare key from an older build, and
// its Member), or by a member that names no firm, is listed once or not
// at all: its reminders must not go out twice, nor stop everyone's.
func TestFirmsIndexListsEachFirmOnce(t *testing.T) {
	s, rdb, prefix := newStore(t)
	ctx := context.Background()
	members := []any{"T2", "slack/T1", "T1", "slack/T2", "slack/T1:C1", "T1:C1", "slack/:C1", "teams/"}
	if err := rdb.SAdd(ctx, prefix+"firms", members...).Err(); err != nil {
		t.Fatal(err)
	}
	firms, err := s.Firms(ctx)
	if err != nil || !slices.Equal(keysOf(firms), []string{"T1", "T1:C1", "T2"}) {
		t.Fatalf("Firms = %v, %v; want [T1 T1:C1 T2] once each", firms, err)
	}
}

func TestPing(t *testing.T) {
	s, _, _ := newStore(t)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}
