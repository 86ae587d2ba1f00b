package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// One firm's damaged record does not hide the others from the console:
// it is listed first, named as failing its integrity check.
func TestConsoleListsAroundADamagedRecord(t *testing.T) {
	s, c, prefix := newStore(t)
	ctx := context.Background()
	for _, ch := range []string{"C1", "C2", "C3"} {
		next, e := change(dialogs.Progress{}, "U1")
		if err := s.Commit(ctx, firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: ch}, 0, next, e); err != nil {
			t.Fatal(err)
		}
	}
	c.HSet(ctx, prefix+"{T1:C2}:progress", "p", "not json")
	var hits int
	svc, _ := dialogs.NewService(&dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{"UA"}, Loc: time.UTC}, s, time.Now)
	svc.Roles, svc.Firms, svc.OnIntegrity = s, s, func(string) { hits++ }
	r, err := svc.Console(ctx, firm.Workspace{Platform: firm.Slack, ID: "T1"}, dialogs.Event{User: "UA"})
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, p := range r.Parts {
		text = append(text, p.Text)
	}
	got := strings.Join(text, "\n")
	if !strings.Contains(got, "⚠️ **C2** — its record failed its integrity check") || !strings.Contains(got, "**C1**") || !strings.Contains(got, "**C3**") ||
		strings.Index(got, "C2") > strings.Index(got, "C1") || hits != 1 {
		t.Errorf("console (%d integrity hits):\n%s", hits, got)
	}
	var csvButton string
	for _, a := range r.Actions {
		if a.Label == "Download CSV" {
			csvButton = a.Value
		}
	}
	file, err := svc.Click(ctx, firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: "C1"}, dialogs.Event{User: "UA"}, csvButton)
	if err != nil || file.File == nil || !strings.Contains(string(file.File.Content), "slack/T1:C2,C2,integrity check failed") {
		t.Fatalf("CSV by its button (%v): %+v", err, file)
	}
}
