package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// The playground's bureau demo: the console lists the demo firms to
// Alice, most urgent first, sends her the CSV, and each demo firm's
// trail verifies.
func TestPlaygroundBureauDemo(t *testing.T) {
	a := newTestApp(t, "CAIS_SCOPE=channel", "CAIS_PLAYGROUND_DEMO=1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = a.Serve(ctx) }()
	if err := a.pg.Command(ctx, "U0ALICE", "firms"); err != nil {
		t.Fatal(err)
	}
	var console, dm string
	deadline := time.Now().Add(5 * time.Second)
	for (console == "" || dm == "") && time.Now().Before(deadline) {
		for _, m := range a.pg.Messages() {
			switch {
			case m.Ephemeral && m.VisibleTo == "U0ALICE" && strings.Contains(string(m.Blocks), "most urgent first"):
				console = string(m.Blocks)
			case m.Channel == "DU0ALICE" && len(m.Files) == 1:
				dm = m.Files[0].Name
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	acme, birch := strings.Index(console, "Acme Securities LLC"), strings.Index(console, "Birch Capital")
	if acme < 0 || birch < acme || !strings.Contains(console, "5 days overdue") || !strings.Contains(console, "#cedar-brokerage") {
		t.Errorf("console:\n%s", console)
	}
	if !strings.HasPrefix(dm, "cais-firms-") {
		t.Errorf("the CSV reached Alice's DM as %q", dm)
	}
	f := firm.ID{Platform: firm.Slack, Workspace: a.pg.TeamID(), Channel: "C0DEMO05"}
	r, err := a.svc.Command(ctx, f, dialogs.Event{User: "U0BOB"}, dialogs.ParseCommand("verify"))
	if err != nil || !strings.HasPrefix(r.Title, "✅") {
		t.Errorf("verify of a demo firm: %v %+v", err, r)
	}
}

func TestPlaygroundDemoNeedsChannelScope(t *testing.T) {
	clearEnv(t)
	t.Setenv("CAIS_PLAYGROUND_DEMO", "1")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "CAIS_PLAYGROUND_DEMO") {
		t.Errorf("demo in workspace scope: %v", err)
	}
}
