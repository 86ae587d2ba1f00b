package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/store"
)

func TestOpenURL(t *testing.T) {
	tests := []struct {
		url     string
		addr    string
		tls     bool
		db      int
		dial    time.Duration
		retries int
	}{
		{"redis://127.0.0.1:6379", "127.0.0.1:6379", false, 0, time.Second, 1},
		{"redis://:pw@cache:6380/2", "cache:6380", false, 2, time.Second, 1},
		{"rediss://user:pw@cache.example.com", "cache.example.com:6379", true, 0, time.Second, 1},
		{"redis://cache?dial_timeout=3s&max_retries=-1", "cache:6379", false, 0, 3 * time.Second, 0}, // -1 is go-redis for none
	}
	for _, tt := range tests {
		c := mustOpen(t, store.Config{URL: tt.url})
		cl, ok := c.(*redis.Client)
		if !ok {
			t.Fatalf("%s: Open gave %T; want *redis.Client", tt.url, c)
		}
		o := cl.Options()
		if o.Addr != tt.addr || (o.TLSConfig != nil) != tt.tls || o.DB != tt.db {
			t.Errorf("%s: addr %q tls %t db %d; want %q %t %d", tt.url, o.Addr, o.TLSConfig != nil, o.DB, tt.addr, tt.tls, tt.db)
		}
		if o.DialTimeout != tt.dial || o.MaxRetries != tt.retries {
			t.Errorf("%s: dial %v retries %d; want %v %d", tt.url, o.DialTimeout, o.MaxRetries, tt.dial, tt.retries)
		}
		if o.ReadTimeout != 700*time.Millisecond || o.WriteTimeout != 700*time.Millisecond ||
			o.PoolTimeout != time.Second || o.DialerRetries != 1 || !o.ContextTimeoutEnabled {
			t.Errorf("%s: timeouts not tightened: %+v", tt.url, o)
		}
	}
}

func TestOpenBadConfig(t *testing.T) {
	const secret = "s3cretPW"
	tests := []struct {
		cfg  store.Config
		name string // the variable the error must name
	}{
		{store.Config{URL: "redis://:" + secret + "@host:notaport"}, "REDIS_URL"},
		{store.Config{URL: "redis://u:" + secret + "@host/notadb"}, "REDIS_URL"},
		{store.Config{URL: "redis://u:" + secret + "@host?bogus=1"}, "REDIS_URL"},
		{store.Config{URL: "redis://u:" + secret + "%zz@host"}, "REDIS_URL"},
		{store.Config{URL: "redis://u:" + secret + "@ho st"}, "REDIS_URL"},
		{store.Config{URL: "http://u:" + secret + "@host"}, "REDIS_URL"},
		{store.Config{URL: "u:" + secret + "@host:6379"}, "REDIS_URL"},
		{store.Config{SentinelMaster: "mymaster"}, "REDIS_ADDRS"},
		{store.Config{Addrs: []string{" ", ""}}, "REDIS_ADDRS"},
		{store.Config{}, "REDIS_URL"},
	}
	for _, tt := range tests {
		c, err := store.Open(tt.cfg)
		if err == nil {
			c.Close()
			t.Errorf("Open(%+v) succeeded; want an error", tt.cfg)
			continue
		}
		if !strings.Contains(err.Error(), tt.name) {
			t.Errorf("error %q does not name %s", err, tt.name)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q shows the password", err)
		}
	}
}

func TestOpenTopology(t *testing.T) {
	t.Run("one address", func(t *testing.T) {
		c := mustOpen(t, store.Config{Addrs: []string{"cache:6379"}})
		if cl, ok := c.(*redis.Client); !ok || cl.Options().Addr != "cache:6379" {
			t.Fatalf("Open gave %T; want a *redis.Client on cache:6379", c)
		}
	})
	t.Run("several addresses mean Cluster", func(t *testing.T) {
		c := mustOpen(t, store.Config{
			URL:   "rediss://:pw@ignored:1",
			Addrs: []string{"n1:6379", " n2:6379", "n3:6379 "},
		})
		cc, ok := c.(*redis.ClusterClient)
		if !ok {
			t.Fatalf("Open gave %T; want *redis.ClusterClient", c)
		}
		o := cc.Options()
		if len(o.Addrs) != 3 || o.Addrs[1] != "n2:6379" || o.Password != "pw" || o.TLSConfig == nil {
			t.Fatalf("cluster options: addrs %q, credentials or TLS from the URL lost", o.Addrs)
		}
		if o.ReadTimeout != 700*time.Millisecond || o.MaxRetries != 1 {
			t.Fatalf("cluster timeouts not tightened: read %v retries %d", o.ReadTimeout, o.MaxRetries)
		}
	})
	t.Run("Sentinel", func(t *testing.T) {
		c := mustOpen(t, store.Config{SentinelMaster: "mymaster", Addrs: []string{"s1:26379", "s2:26379"}})
		cl, ok := c.(*redis.Client)
		// go-redis marks a Sentinel-managed client with this address.
		if !ok || cl.Options().Addr != "FailoverClient" {
			t.Fatalf("Open gave %T; want a Sentinel failover client", c)
		}
	})
}

func TestEmbedded(t *testing.T) {
	url, stop, err := store.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	c := mustOpen(t, store.Config{URL: url})
	s := store.New(c, "cais:")
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping embedded: %v", err)
	}
	commitN(t, s, "T1", 2)
	stop()
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping after stop succeeded")
	}
}

func mustOpen(t *testing.T, cfg store.Config) redis.UniversalClient {
	t.Helper()
	c, err := store.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
