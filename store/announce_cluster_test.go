package store_test

import (
	"context"
	"testing"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/store"
)

// TestLedgerOnCluster: the announcement ledger on a three-master Redis
// Cluster. A batch of claims and results spans firms on every master
// (go-redis splits the pipeline by node), and the sender lock, with its
// own hash tag, works beside them.
func TestLedgerOnCluster(t *testing.T) {
	needRedisBinaries(t)
	nodes := startCluster(t)
	s, _, _ := openStore(t, store.Config{URL: "redis://:" + testPassword + "@127.0.0.1", Addrs: addrsOf(nodes)})
	ctx := context.Background()
	firms := manyFirms(30)
	var occs []ledger.Occurrence
	for _, f := range firms {
		commitN(t, s, f, 1)
		o := occ
		o.Firm = slackFirm(f)
		occs = append(occs, o)
	}
	ps, err := s.LoadMany(ctx, slackFirms(firms))
	if err != nil || len(ps) != len(firms) || ps[0].Version != 1 || ps[len(ps)-1].Version != 1 {
		t.Fatalf("LoadMany = %d firms, %v", len(ps), err)
	}
	_, claimed, err := s.Settle(ctx, nil, occs, "A", t0, lease)
	if err != nil || len(claimed) != len(occs) {
		t.Fatalf("Settle claims = %v, %v", claimed, err)
	}
	done := make([]ledger.Settlement, len(occs))
	for i, o := range occs {
		done[i] = ledger.Settlement{Occurrence: o, State: ledger.StateSent, Ref: "1.1"}
	}
	rec, again, err := s.Settle(ctx, done, occs, "B", t0, lease)
	if err != nil || len(rec) != len(occs) || len(again) != len(occs) {
		t.Fatalf("Settle results = %v, %v, %v", rec, again, err)
	}
	for i := range occs {
		if claimed[i].Outcome != ledger.Claimed || rec[i].State != ledger.StateSent || again[i].Outcome != ledger.Done {
			t.Fatalf("firm %s: claim %+v, result %+v, later claim %+v", firms[i], claimed[i], rec[i], again[i])
		}
	}
	if ok, err := s.LockSender(ctx, "T0BUREAU", "A", t0, lease); !ok || err != nil {
		t.Fatalf("LockSender = %v, %v", ok, err)
	}
	if err := s.UnlockSender(ctx, "T0BUREAU", "A"); err != nil {
		t.Fatal(err)
	}
}
