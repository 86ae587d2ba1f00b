package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/store"
)

func TestKeyNames(t *testing.T) {
	s, c, prefix := newStore(t)
	commitN(t, s, "T0123ABC:C0456DEF", 2)
	keys, err := c.Keys(context.Background(), prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	want := []string{
		prefix + "firms",
		prefix + "{T0123ABC:C0456DEF}:audit",
		prefix + "{T0123ABC:C0456DEF}:progress",
	}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys = %q; want %q", keys, want)
	}
}

func TestBadFirmRefused(t *testing.T) {
	tests := []struct {
		firm string
		ok   bool
	}{
		{"T0123ABC", true},
		{"T0123ABC:C0456DEF", true},
		{strings.Repeat("T", 200), true},
		{"", false},
		{strings.Repeat("T", 201), false},
		{"T1{x}", false},
		{"T1}", false},
		{"T1 C1", false},
		{"T1\n", false},
		{"T1\u00a0", false}, // no-break space
	}
	s, _, _ := newStore(t)
	ctx := context.Background()
	for _, tt := range tests {
		next, e := change(dialogs.Progress{}, "U1")
		_, errLoad := s.Load(ctx, slackFirm(tt.firm))
		_, errAudit := s.Audit(ctx, slackFirm(tt.firm), 0, -1)
		errCommit := s.Commit(ctx, slackFirm(tt.firm), 0, next, e)
		for op, err := range map[string]error{"Load": errLoad, "Audit": errAudit, "Commit": errCommit} {
			if tt.ok && err != nil {
				t.Errorf("%s(%.20q) = %v; want nil", op, tt.firm, err)
			}
			if !tt.ok && !errors.Is(err, store.ErrBadFirm) {
				t.Errorf("%s(%.20q) = %v; want ErrBadFirm", op, tt.firm, err)
			}
		}
	}
	firms, _ := s.Firms(ctx)
	if len(firms) != 3 {
		t.Errorf("Firms = %d entries; want the 3 good ids only", len(firms))
	}
}

// The script refuses a commit that would break the sequence, whatever the
// caller's bug, and such a refusal is not "Redis unavailable".
func TestSequenceGuard(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(*dialogs.Progress, *dialogs.Entry)
	}{
		{"version skips", func(p *dialogs.Progress, _ *dialogs.Entry) { p.Version++ }},
		{"version repeats", func(p *dialogs.Progress, _ *dialogs.Entry) { p.Version-- }},
		{"seq skips", func(_ *dialogs.Progress, e *dialogs.Entry) { e.Seq++ }},
		{"seq repeats", func(_ *dialogs.Progress, e *dialogs.Entry) { e.Seq-- }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _ := newStore(t)
			p := commitN(t, s, "T1", 2)
			next, e := change(p, "U2")
			tt.spoil(&next, &e)
			err := s.Commit(context.Background(), slackFirm("T1"), p.Version, next, e)
			if !errors.Is(err, store.ErrSequence) || errors.Is(err, dialogs.ErrUnavailable) {
				t.Fatalf("Commit = %v; want ErrSequence only", err)
			}
			assertState(t, s, "T1", p, 2)
		})
	}
}

// Data that does not decode is a fault to report, not a missing firm and
// not an outage.
func TestCorruptData(t *testing.T) {
	s, c, prefix := newStore(t)
	ctx := context.Background()
	key := prefix + "{T1}:progress"
	for name, fields := range map[string][]any{
		"bad json":    {"v", "1", "p", "{"},
		"bad version": {"v", "one", "p", "{}"},
		"no progress": {"v", "1"},
		"no version":  {"p", "{}"},
	} {
		c.Del(ctx, key)
		c.HSet(ctx, key, fields...)
		_, err := s.Load(ctx, slackFirm("T1"))
		if err == nil || errors.Is(err, dialogs.ErrUnavailable) {
			t.Errorf("%s: Load = %v; want a decode error", name, err)
		}
	}
	c.RPush(ctx, prefix+"{T1}:audit", "not json")
	if _, err := s.Audit(ctx, slackFirm("T1"), 0, -1); err == nil || errors.Is(err, dialogs.ErrUnavailable) {
		t.Errorf("Audit = %v; want a decode error", err)
	}
}
