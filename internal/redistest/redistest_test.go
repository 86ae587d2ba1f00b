package redistest_test

import (
	"context"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/internal/redistest"
)

func TestNew(t *testing.T) {
	ctx := context.Background()
	c1, p1 := redistest.New(t)
	_, p2 := redistest.New(t)
	if p1 == p2 {
		t.Fatalf("two tests got the same prefix %q", p1)
	}
	if err := c1.Set(ctx, p1+"k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := c1.Get(ctx, p1+"k").Result(); err != nil || got != "v" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if url := os.Getenv("REDIS_URL"); url != "" {
		want, _ := redis.ParseURL(url)
		if got := c1.(*redis.Client).Options().Addr; got != want.Addr {
			t.Fatalf("client talks to %s; want REDIS_URL's %s", got, want.Addr)
		}
	}
}

// On a shared real Redis a test must leave no keys behind, and must not
// touch keys outside its prefix.
func TestCleanupDeletesOnlyThePrefix(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Skip("needs REDIS_URL: miniredis vanishes with the test anyway")
	}
	ctx := context.Background()
	outside, outsidePrefix := redistest.New(t)
	outside.Set(ctx, outsidePrefix+"keep", "1", 0)

	var prefix string
	t.Run("writer", func(t *testing.T) {
		var c redis.UniversalClient
		c, prefix = redistest.New(t)
		for _, k := range []string{"a", "{T1}:audit", "firms"} {
			c.Set(ctx, prefix+k, "x", 0)
		}
	})
	left, err := outside.Keys(ctx, prefix+"*").Result()
	if err != nil || len(left) != 0 {
		t.Fatalf("keys left after cleanup: %q, %v", left, err)
	}
	if n, _ := outside.Exists(ctx, outsidePrefix+"keep").Result(); n != 1 {
		t.Fatal("cleanup deleted another test's key")
	}
}
