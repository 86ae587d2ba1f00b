package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/store"
)

var occ = ledger.Occurrence{Firm: slackFirm("T1:C1"), Channel: "C1", Deadline: "target:certify_self", Day: "2027-06-05", Lead: 7}

const lease = 2 * time.Minute

// ledgerStep is one call on the ledger and what it must answer.
type ledgerStep struct {
	name    string
	call    string // claim | finish | skip
	token   string // claim
	state   string // finish: state to record
	ref     string // finish: ref to record
	at      time.Duration
	outcome ledger.ClaimOutcome // claim
	want    string              // state (claim, finish) or previous state (skip)
	wantRef string
}

func TestLedgerStateMachine(t *testing.T) {
	tests := []struct {
		name  string
		steps []ledgerStep
	}{
		{"claim, renew, send, done", []ledgerStep{
			{name: "first claim", call: "claim", token: "A", outcome: ledger.Claimed, want: "claimed"},
			{name: "other sender", call: "claim", token: "B", at: time.Second, outcome: ledger.Held, want: "claimed"},
			{name: "own renewal", call: "claim", token: "A", at: 100 * time.Second, outcome: ledger.Claimed, want: "claimed"},
			{name: "old lease end is not the end", call: "claim", token: "B", at: lease + time.Second, outcome: ledger.Held, want: "claimed"},
			{name: "sent", call: "finish", state: "sent", ref: "1.1", at: lease + 2*time.Second, want: "sent", wantRef: "1.1"},
			{name: "later claim", call: "claim", token: "C", at: 3 * lease, outcome: ledger.Done, want: "sent", wantRef: "1.1"},
			{name: "second post keeps the first", call: "finish", state: "sent", ref: "2.2", at: 3 * lease, want: "sent", wantRef: "1.1"},
			{name: "skip keeps the result", call: "skip", at: 4 * lease, want: "sent"},
		}},
		{"lapsed claim is retaken", []ledgerStep{
			{name: "first claim", call: "claim", token: "A", outcome: ledger.Claimed, want: "claimed"},
			{name: "at lease end", call: "claim", token: "B", at: lease, outcome: ledger.Retaken, want: "claimed"},
			{name: "the first sender lost it", call: "claim", token: "A", at: lease + time.Second, outcome: ledger.Held, want: "claimed"},
			{name: "late result of the first still counts", call: "finish", state: "sent", ref: "1.1", at: lease + 2*time.Second, want: "sent", wantRef: "1.1"},
		}},
		{"skipped day", []ledgerStep{
			{name: "never tried", call: "skip", want: ""},
			{name: "once only", call: "skip", want: "skipped"},
			{name: "no claim after", call: "claim", token: "A", outcome: ledger.Done, want: "skipped"},
		}},
		{"tried all day", []ledgerStep{
			{name: "claim", call: "claim", token: "A", outcome: ledger.Claimed, want: "claimed"},
			{name: "still posting", call: "skip", at: time.Minute, want: "held"},
			{name: "still claimed", call: "claim", token: "B", at: time.Minute, outcome: ledger.Held, want: "claimed"},
			{name: "day passed", call: "skip", at: 24 * time.Hour, want: "claimed"},
			{name: "now failed", call: "skip", at: 24 * time.Hour, want: "failed"},
		}},
		{"gone", []ledgerStep{
			{name: "claim", call: "claim", token: "A", outcome: ledger.Claimed, want: "claimed"},
			{name: "gone", call: "finish", state: "gone", want: "gone"},
			{name: "done", call: "claim", token: "B", at: 3 * lease, outcome: ledger.Done, want: "gone"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _ := newStore(t)
			for _, st := range tt.steps {
				runLedgerStep(t, s, st)
			}
		})
	}
}

func runLedgerStep(t *testing.T, s *store.Redis, st ledgerStep) {
	t.Helper()
	ctx := context.Background()
	at := t0.Add(st.at)
	switch st.call {
	case "claim":
		c, err := s.Claim(ctx, occ, st.token, at, lease)
		if err != nil || c.Outcome != st.outcome || c.State != st.want || c.Ref != st.wantRef {
			t.Fatalf("%s: Claim = %+v, %v; want outcome %d state %q ref %q", st.name, c, err, st.outcome, st.want, st.wantRef)
		}
	case "finish":
		c, err := s.Finish(ctx, occ, st.state, st.ref, at)
		if err != nil || c.State != st.want || c.Ref != st.wantRef {
			t.Fatalf("%s: Finish = %+v, %v; want state %q ref %q", st.name, c, err, st.want, st.wantRef)
		}
	case "skip":
		prev, err := s.Skip(ctx, occ, at)
		if err != nil || prev != st.want {
			t.Fatalf("%s: Skip = %q, %v; want %q", st.name, prev, err, st.want)
		}
	}
}

func TestConcurrentClaimsOneWins(t *testing.T) {
	s, _, _ := newStore(t)
	const n = 20
	var wg sync.WaitGroup
	outcomes := make([]ledger.ClaimOutcome, n)
	for i := range n {
		wg.Go(func() {
			c, err := s.Claim(context.Background(), occ, string(rune('A'+i)), t0, lease)
			if err != nil {
				t.Error(err)
			}
			outcomes[i] = c.Outcome
		})
	}
	wg.Wait()
	won := 0
	for _, o := range outcomes {
		if o == ledger.Claimed {
			won++
		}
	}
	if won != 1 {
		t.Fatalf("%d claims won (%v); want 1", won, outcomes)
	}
}

func TestSenderLock(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	steps := []struct {
		name  string
		token string
		at    time.Duration
		want  bool
	}{
		{"take", "A", 0, true},
		{"held", "B", time.Second, false},
		{"renew", "A", time.Minute, true},
		{"held past the first lease", "B", lease + time.Second, false},
		{"lapsed", "B", time.Minute + lease, true},
		{"lost", "A", time.Minute + lease + time.Second, false},
	}
	for _, st := range steps {
		if got, err := s.LockSender(ctx, "T1", st.token, t0.Add(st.at), lease); err != nil || got != st.want {
			t.Fatalf("%s: LockSender(%s) = %v, %v; want %v", st.name, st.token, got, err, st.want)
		}
	}
	if err := s.UnlockSender(ctx, "T1", "A"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.LockSender(ctx, "T1", "C", t0.Add(lease+2*time.Minute), lease); ok {
		t.Fatal("an unlock by a sender that lost the lock released it")
	}
	if err := s.UnlockSender(ctx, "T1", "B"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.LockSender(ctx, "T1", "C", t0.Add(lease+2*time.Minute), lease); !ok {
		t.Fatal("the holder's unlock did not release the lock")
	}
}

// TestLedgerKeys: every key starts with the prefix, an occurrence lives
// under its firm's hash tag, and Redis is told to drop each in time.
func TestLedgerKeys(t *testing.T) {
	s, c, prefix := newStore(t)
	ctx := context.Background()
	if _, err := s.Claim(ctx, occ, "A", t0, lease); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LockSender(ctx, "T1", "A", t0, lease); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) != 2 {
		t.Fatalf("keys = %v, %v; want an occurrence and a lock", keys, err)
	}
	tagged := 0
	for _, k := range keys {
		ttl, err := c.PTTL(ctx, k).Result()
		if err != nil || ttl <= 0 {
			t.Errorf("%s: PTTL = %v, %v; want a retention", k, ttl, err)
		}
		if strings.HasPrefix(k, prefix+"{T1:C1}:announce:") {
			tagged++
		}
	}
	if tagged != 1 {
		t.Errorf("keys %v: want one occurrence under the firm's hash tag {T1:C1}", keys)
	}
}

func TestLedgerRefusesBadIDs(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	bad := occ
	bad.Firm = slackFirm("T{1}")
	if _, err := s.Claim(ctx, bad, "A", t0, lease); !errors.Is(err, store.ErrBadFirm) {
		t.Errorf("Claim with a braced firm = %v; want ErrBadFirm", err)
	}
	if _, err := s.LockSender(ctx, "T 1", "A", t0, lease); !errors.Is(err, store.ErrBadFirm) {
		t.Errorf("LockSender with a spaced workspace = %v; want ErrBadFirm", err)
	}
}

// At the start of a run every workspace's sender locks at once, in one
// round trip; each lock answers as LockSender would.
func TestLockSendersTogether(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	if ok, err := s.LockSender(ctx, "T2", "other", t0, lease); !ok || err != nil {
		t.Fatalf("LockSender = %v, %v", ok, err)
	}
	got, err := s.LockSenders(ctx, []string{"T1", "T2", "T3"}, "A", t0, lease)
	if err != nil || !slices.Equal(got, []bool{true, false, true}) {
		t.Fatalf("LockSenders = %v, %v; want T2 refused (another sender holds it)", got, err)
	}
	if ok, _ := s.LockSender(ctx, "T1", "other", t0.Add(time.Second), lease); ok {
		t.Fatal("LockSender took T1 from the sender LockSenders gave it to")
	}
	if got, err := s.LockSenders(ctx, []string{"T1"}, "A", t0.Add(time.Second), lease); err != nil || !got[0] {
		t.Fatalf("renewal = %v, %v; want held", got, err)
	}
	if _, err := s.LockSenders(ctx, []string{"T 1"}, "A", t0, lease); !errors.Is(err, store.ErrBadFirm) {
		t.Errorf("LockSenders with a spaced workspace = %v; want ErrBadFirm", err)
	}
}
