package teams

import (
	"context"
	"testing"
	"time"
)

// An offered packet is kept for an hour under its id, then gone; it is
// taken once.
func TestOffersExpireAndAreTakenOnce(t *testing.T) {
	d, rdb, prefix := newRecords(t)
	ctx := context.Background()
	id := newOfferID()
	if err := d.HoldOffer(ctx, id, `{"user":"U1"}`, offerTTL); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.TTL(ctx, prefix+"teams:offer:"+id).Val(); ttl < offerTTL-time.Minute || ttl > offerTTL {
		t.Fatalf("offer kept for %v, want an hour", ttl)
	}
	if v, found, err := d.TakeOffer(ctx, id); !found || err != nil || v != `{"user":"U1"}` {
		t.Fatalf("take: %q %v %v", v, found, err)
	}
	if _, found, _ := d.TakeOffer(ctx, id); found {
		t.Fatal("an offer was taken twice")
	}
	if err := d.HoldOffer(ctx, "a b", "x", offerTTL); err == nil {
		t.Fatal("an offer id with a space was accepted")
	}
}
