package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// The playground's bureau demo: the console lists the demo firms to
// Alice, most urgent first, its button sends her the CSV, and each demo firm's
// trail verifies.
func TestPlaygroundBureauDemo(t *testing.T) {
	a := newTestApp(t, "CAIS_SCOPE=channel", "CAIS_PLAYGROUND_DEMO=1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = a.Serve(ctx) }()
	if err := a.pg.Command(ctx, "U0ALICE", "firms"); err != nil {
		t.Fatal(err)
	}
	console, ts := waitFor(t, func() (string, string) {
		for _, m := range a.pg.Messages() {
			if m.Ephemeral && m.VisibleTo == "U0ALICE" && strings.Contains(string(m.Blocks), "most urgent first") {
				return string(m.Blocks), m.TS
			}
		}
		return "", ""
	})
	if err := a.pg.ClickMessage(ctx, "U0ALICE", ts, "cais_actions", actionLabelled(t, console, "Download CSV")); err != nil {
		t.Fatal(err)
	}
	dm, _ := waitFor(t, func() (string, string) {
		for _, m := range a.pg.Messages() {
			if m.Channel == "DU0ALICE" && len(m.Files) == 1 {
				return m.Files[0].Name, m.TS
			}
		}
		return "", ""
	})
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

// waitFor polls find (the bot answers in the background) until it finds
// something, for at most 5 s.
func waitFor(t *testing.T, find func() (string, string)) (string, string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if a, b := find(); a != "" {
			return a, b
		}
	}
	return "", ""
}

// actionLabelled is the action_id of the button labelled label in blocks.
func actionLabelled(t *testing.T, blocks, label string) string {
	t.Helper()
	var bl []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Text     struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"elements"`
	}
	_ = json.Unmarshal([]byte(blocks), &bl)
	for _, b := range bl {
		for _, e := range b.Elements {
			if e.Text.Text == label {
				return e.ActionID
			}
		}
	}
	t.Fatalf("no %q button in %s", label, blocks)
	return ""
}

func TestPlaygroundDemoNeedsChannelScope(t *testing.T) {
	clearEnv(t)
	t.Setenv("CAIS_PLAYGROUND_DEMO", "1")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "CAIS_PLAYGROUND_DEMO") {
		t.Errorf("demo in workspace scope: %v", err)
	}
}
