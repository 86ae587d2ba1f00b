package store_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
)

// BenchmarkLoadCommit measures one button click's storage work: a Load and
// a Commit, one round trip each, with sequential versions of one firm.
func BenchmarkLoadCommit(b *testing.B) {
	s, _, _ := newStore(b)
	ctx := context.Background()
	for b.Loop() {
		p, err := s.Load(ctx, slackFirm("T1"))
		if err != nil {
			b.Fatal(err)
		}
		next, e := change(p, "U1")
		next.Path = next.Path[len(next.Path)-1:] // keep the progress a realistic size
		if err := s.Commit(ctx, slackFirm("T1"), p.Version, next, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFirstCommit adds the firms-index call a firm's first commit makes.
func BenchmarkFirstCommit(b *testing.B) {
	s, _, _ := newStore(b)
	ctx := context.Background()
	next, e := change(dialogs.Progress{}, "U1")
	i := 0
	for b.Loop() {
		i++
		if err := s.Commit(ctx, slackFirm("T"+strconv.Itoa(i)), 0, next, e); err != nil {
			b.Fatal(err)
		}
	}
}
