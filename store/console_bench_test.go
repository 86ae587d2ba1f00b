package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// BenchmarkConsole500 is `firms` for a workspace of 500 firms, in a store
// that also holds 500 firms of another workspace: the Redis reads (the
// firms index, the roles, one pipelined HMGET per firm), the rows, their
// order, the reply and the CSV. Set REDIS_URL for a real Redis.
func BenchmarkConsole500(b *testing.B) {
	s, _, _ := newStore(b)
	ctx := context.Background()
	for _, team := range []string{"T1", "T2"} {
		for i := range 500 {
			f := firm.ID{Platform: firm.Slack, Workspace: team, Channel: fmt.Sprintf("C%04d", i)}
			next, e := change(dialogs.Progress{}, "U1")
			next.Current = "registration"
			next.Path[0].Step = "obligation"
			next.Targets = map[string]string{"registration": fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28)}
			next.Profile = &dialogs.Profile{Name: fmt.Sprintf("Example Securities %d LLC", i), CRD: "123456"}
			if err := s.Commit(ctx, f, 0, next, e); err != nil {
				b.Fatal(err)
			}
		}
	}
	svc, err := dialogs.NewService(&dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{"UADMIN"}, Loc: time.UTC}, s,
		func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) })
	if err != nil {
		b.Fatal(err)
	}
	svc.Roles, svc.Firms = s, s
	w := firm.Workspace{Platform: firm.Slack, ID: "T1"}
	for b.Loop() {
		r, err := svc.Console(ctx, w, dialogs.Event{User: "UADMIN"})
		if err != nil || !strings.Contains(partsText(r), "**500 firms**") {
			b.Fatalf("console: %v", err)
		}
	}
}

func partsText(r dialogs.Reply) string {
	var out []string
	for _, p := range r.Parts {
		out = append(out, p.Text)
	}
	return strings.Join(out, "\n")
}
