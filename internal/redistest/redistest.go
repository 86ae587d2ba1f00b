// Package redistest gives each test a Redis client and a key prefix of its
// own, so one conformance suite runs on miniredis by default and on a real
// Redis when REDIS_URL is set.
package redistest

import (
	"context"
	"crypto/rand"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// New returns a client and a fresh prefix such as "test:K7Q…:". With
// REDIS_URL set it uses that server and fails the test if it does not
// answer (a silent fallback would let a broken CI Redis go unnoticed);
// otherwise it starts a miniredis for this test alone. The prefix's keys
// are deleted and the client closed when the test ends.
func New(tb testing.TB) (redis.UniversalClient, string) {
	tb.Helper()
	// rand.Text is base32: no glob characters to escape in the SCAN below.
	prefix := "test:" + rand.Text() + ":"
	url := os.Getenv("REDIS_URL")
	if url == "" {
		m := miniredis.RunT(tb)
		c := redis.NewClient(&redis.Options{Addr: m.Addr()})
		minis.Store(c, m)
		tb.Cleanup(func() { minis.Delete(c); _ = c.Close() })
		return c, prefix
	}
	c := dial(tb, url)
	tb.Cleanup(func() {
		deletePrefix(tb, c, prefix)
		_ = c.Close()
	})
	return c, prefix
}

// minis are the miniredis servers behind New's clients.
var minis sync.Map // redis.UniversalClient → *miniredis.Miniredis

// Elapse lets d pass for the keys' TTLs of c, a client from New: on
// miniredis, whose clock stands still, it moves that clock; on a real
// Redis it sleeps.
func Elapse(tb testing.TB, c redis.UniversalClient, d time.Duration) {
	tb.Helper()
	if m, ok := minis.Load(c); ok {
		m.(*miniredis.Miniredis).FastForward(d)
		return
	}
	time.Sleep(d)
}

func dial(tb testing.TB, url string) *redis.Client {
	tb.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		// The cause may quote the URL, password included: do not print it.
		tb.Fatal("redistest: REDIS_URL is not a valid redis:// URL")
	}
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		tb.Fatalf("redistest: REDIS_URL is set but Redis does not answer: %v", err)
	}
	return c
}

// deletePrefix removes only this test's keys, so tests sharing one real
// Redis (and other users of it) are left alone.
func deletePrefix(tb testing.TB, c *redis.Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var cursor uint64
	for {
		// One UNLINK per scanned batch: a benchmark leaves 100,000s of keys.
		keys, next, err := c.Scan(ctx, cursor, prefix+"*", 1000).Result()
		if err != nil {
			tb.Errorf("redistest: cleanup scan: %v", err)
			return
		}
		if len(keys) > 0 {
			if err := c.Unlink(ctx, keys...).Err(); err != nil {
				tb.Errorf("redistest: cleanup of %s…: %v", keys[0], err)
				return
			}
		}
		if cursor = next; cursor == 0 {
			return
		}
	}
}

// Silent starts a TCP server that accepts connections and never writes a
// byte — the worst kind of slow Redis — and returns its host:port.
func Silent(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// Down returns a client of a Redis that is not there (nothing listens on
// port 1): every command fails at once, with no retry.
func Down(tb testing.TB) redis.UniversalClient {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}
