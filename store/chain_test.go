package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
)

// The trail as stored and read back must verify, and an edit made behind
// the bot's back must be found at the edited entry.
func TestHashChainSurvivesStorage(t *testing.T) {
	s, c, prefix := newStore(t)
	ctx := context.Background()
	p := commitN(t, s, "T1", 5)
	entries, err := s.Audit(ctx, slackFirm("T1"), 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if b := dialogs.VerifyChain(entries, p.Head); b != nil {
		t.Fatalf("VerifyChain on the stored trail: %v", b)
	}

	tampered := entries[2]
	tampered.User = "U_MALLORY"
	raw, _ := json.Marshal(tampered)
	if err := c.LSet(ctx, prefix+"{T1}:audit", 2, raw).Err(); err != nil {
		t.Fatal(err)
	}
	entries, err = s.Audit(ctx, slackFirm("T1"), 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	b := dialogs.VerifyChain(entries, p.Head)
	if b == nil || b.Seq != 3 {
		t.Fatalf("VerifyChain after tampering entry 3 = %v; want a break at 3", b)
	}
}
