package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
)

// A Redis that is gone must give ErrUnavailable quickly enough to still
// answer Slack within its 3 s, with the client options Open chooses.
func TestRedisDown(t *testing.T) {
	tests := []struct {
		name string
		url  func(t *testing.T) (url string, kill func())
	}{
		{"nothing listening", func(*testing.T) (string, func()) {
			return "redis://127.0.0.1:1", func() {}
		}},
		{"server stopped", func(t *testing.T) (string, func()) {
			m := miniredis.RunT(t)
			return "redis://" + m.Addr(), m.Close
		}},
	}
	ops := map[string]func(*store.Redis) error{
		"Load": func(s *store.Redis) error { _, err := s.Load(context.Background(), slackFirm("T1")); return err },
		"Commit": func(s *store.Redis) error {
			next, e := change(dialogs.Progress{Version: 1}, "U1")
			return s.Commit(context.Background(), slackFirm("T1"), 1, next, e)
		},
		"Audit": func(s *store.Redis) error {
			_, err := s.Audit(context.Background(), slackFirm("T1"), 0, -1)
			return err
		},
		"Firms": func(s *store.Redis) error { _, err := s.Firms(context.Background()); return err },
		"Ping":  func(s *store.Redis) error { return s.Ping(context.Background()) },
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, kill := tt.url(t)
			c, err := store.Open(store.Config{URL: url})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s := store.New(c, "cais:")
			_ = s.Ping(context.Background()) // fill the pool while it is up
			kill()
			for name, op := range ops {
				start := time.Now()
				err := op(s)
				if !errors.Is(err, dialogs.ErrUnavailable) {
					t.Errorf("%s = %v; want ErrUnavailable", name, err)
				}
				d := time.Since(start)
				t.Logf("%s: %v after %v", name, err, d)
				if d > 1200*time.Millisecond {
					t.Errorf("%s took %v; want about a second at most", name, d)
				}
			}
		})
	}
}

// A Redis that accepts connections but never answers (overloaded, or a
// half-dead network path) is bounded by the read timeout and one retry,
// and a caller's shorter deadline wins.
func TestRedisHung(t *testing.T) {
	addr := redistest.Silent(t)
	c, err := store.Open(store.Config{URL: "redis://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := store.New(c, "cais:")
	tests := []struct {
		name     string
		deadline time.Duration // 0: none
		max      time.Duration
	}{
		{"client timeouts", 0, 2 * time.Second},
		{"caller deadline", 300 * time.Millisecond, 600 * time.Millisecond},
	}
	for _, tt := range tests {
		ctx := context.Background()
		if tt.deadline > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, tt.deadline)
			defer cancel()
		}
		start := time.Now()
		_, err := s.Load(ctx, slackFirm("T1"))
		d := time.Since(start)
		t.Logf("%s: %v after %v", tt.name, err, d)
		if !errors.Is(err, dialogs.ErrUnavailable) || d > tt.max {
			t.Errorf("%s: Load = %v after %v; want ErrUnavailable within %v", tt.name, err, d, tt.max)
		}
	}
}
