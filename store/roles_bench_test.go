package store_test

import (
	"context"
	"testing"

	"github.com/caisbot/caisbot/firm"
)

// BenchmarkLoadRoles is the one extra read every command and click makes
// when roles per workspace are on (Service.Roles).
func BenchmarkLoadRoles(b *testing.B) {
	s, _, _ := newStore(b)
	ctx := context.Background()
	w := firm.Workspace{Platform: firm.Slack, ID: "T1"}
	for b.Loop() {
		if _, err := s.LoadRoles(ctx, w); err != nil {
			b.Fatal(err)
		}
	}
}
