package app

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/packet"
)

// The wired service makes exam packets, and they check.
func TestTheServiceMakesExamPackets(t *testing.T) {
	clearEnv(t)
	t.Setenv("CAIS_LISTEN_ADDR", "127.0.0.1:0")
	t.Setenv("CAIS_ADMIN_USERS", "U1")
	cfg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, newLogger(io.Discard, slog.LevelInfo))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, f := context.Background(), firm.ID{Platform: firm.Slack, Workspace: "T0PACKET"}
	ev := dialogs.Event{User: "U1", Name: "Ann", Channel: "C1"}
	if _, err := a.svc.Command(ctx, f, ev, dialogs.ParseCommand("deadline 4 2027-06-05")); err != nil {
		t.Fatal(err)
	}
	r, err := a.svc.Command(ctx, f, ev, dialogs.ParseCommand("packet"))
	if err != nil || r.File == nil || r.File.Kind != dialogs.FilePacket || !strings.HasPrefix(r.File.Name, "cais-exam-packet-t0packet-") {
		t.Fatalf("packet: %v, %+v", err, r)
	}
	if sum, err := packet.VerifyBytes(r.File.Name, r.File.Content); err != nil || !strings.Contains(sum, "1 audit entry chained") {
		t.Errorf("verify-packet: %q, %v", sum, err)
	}
}
