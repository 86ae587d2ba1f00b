package store_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Delivery claims: SET NX under the prefix with a TTL, opaque values.
func TestDeliveryClaims(t *testing.T) {
	ctx := context.Background()
	s, c, prefix := newStore(t)
	first, held, err := s.ClaimDelivery(ctx, "slack:abc", []byte("r"), time.Minute)
	if !first || held != nil || err != nil {
		t.Fatalf("first claim: %v %q %v", first, held, err)
	}
	first, held, err = s.ClaimDelivery(ctx, "slack:abc", []byte("r"), time.Minute)
	if first || string(held) != "r" || err != nil {
		t.Fatalf("second claim: %v %q %v", first, held, err)
	}
	if err := s.KeepDelivery(ctx, "slack:abc", []byte(`d{"ok":1}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, held, _ = s.ClaimDelivery(ctx, "slack:abc", []byte("r"), time.Minute); string(held) != `d{"ok":1}` {
		t.Fatalf("kept value %q", held)
	}
	ttl, err := c.PTTL(ctx, prefix+"once:slack:abc").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("key under the prefix with a TTL: %v %v", ttl, err)
	}
	if err := s.ReleaseDelivery(ctx, "slack:abc"); err != nil {
		t.Fatal(err)
	}
	if first, _, _ = s.ClaimDelivery(ctx, "slack:abc", []byte("r"), time.Minute); !first {
		t.Fatal("a released delivery cannot be claimed again")
	}
	for _, bad := range []string{"", strings.Repeat("k", 201)} {
		if _, _, err := s.ClaimDelivery(ctx, bad, nil, time.Minute); err == nil {
			t.Errorf("key of %d bytes accepted", len(bad))
		}
	}
}
