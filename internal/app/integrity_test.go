package app

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// TestIntegrityFailuresAreCounted: an entry appended to a firm's audit
// list behind the bot's back is counted in
// caisbot_integrity_failures_total when verify finds it and when a change
// is refused because of it.
func TestIntegrityFailuresAreCounted(t *testing.T) {
	clearEnv(t)
	t.Setenv("CAIS_LISTEN_ADDR", "127.0.0.1:0")
	t.Setenv("CAIS_ADMIN_USERS", "UADMIN")
	cfg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, newLogger(io.Discard, slog.LevelInfo))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	f := firm.ID{Platform: firm.Slack, Workspace: "TCOUNT"}
	ev := dialogs.Event{User: "UADMIN", Channel: "C1"}
	if r, err := a.svc.Command(ctx, f, ev, dialogs.ParseCommand("deadline 4 2027-06-05")); err != nil || !r.Changed {
		t.Fatalf("deadline = %q, %v", r.Title, err)
	}
	if err := a.rdb.RPush(ctx, cfg.RedisPrefix+"{"+f.Key()+"}:audit", `{"seq":2,"action":"confirm"}`).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.Command(ctx, f, ev, dialogs.ParseCommand("deadline 5 2027-07-01")); err == nil {
		t.Fatal("a change over a tampered trail was accepted")
	}
	if _, err := a.svc.Command(ctx, f, ev, dialogs.ParseCommand("verify")); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	a.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{`caisbot_integrity_failures_total{where="request"} 1`, `caisbot_integrity_failures_total{where="verify"} 1`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
