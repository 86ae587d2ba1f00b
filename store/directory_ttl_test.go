package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caisbot/caisbot/firm"
)

func TestDirectoryPutForAndTake(t *testing.T) {
	st, rdb, prefix := newStore(t)
	d := st.Directory(firm.Teams)
	ctx := context.Background()
	if err := d.PutFor(ctx, "offer", "o1", "packet\x00bytes", time.Hour); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.TTL(ctx, prefix+"teams:offer:o1").Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("ttl %v, want up to an hour", ttl)
	}
	var got atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, found, err := d.Take(ctx, "offer", "o1")
			if err != nil {
				t.Error(err)
			}
			if found {
				got.Add(1)
				if v != "packet\x00bytes" {
					t.Errorf("took %q", v)
				}
			}
		}()
	}
	wg.Wait()
	if got.Load() != 1 {
		t.Fatalf("%d of 8 racing takers got the value, want 1", got.Load())
	}
	if _, found, err := d.Take(ctx, "offer", "never"); found || err != nil {
		t.Fatalf("unknown id: found %v err %v", found, err)
	}
	if err := d.PutFor(ctx, "offer", "o2", "x", 0); err == nil {
		t.Fatal("PutFor without a ttl would keep the value for ever")
	}
}
