package dialogs

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Maker-checker: sending back, stale and racing decisions, undo, reset,
// history and verify.

func reasonValues(reason string) map[string]string { return map[string]string{SendBackReason: reason} }

// submitted walks to Step 4 and submits "CAT Reporting Agent" as U1.
func submitted(t *testing.T, s *Service) Reply {
	t.Helper()
	return press(t, s, toMethod(t, s), "CAT Reporting Agent", "U1", "Acme Clearing LLC")
}

func TestSendBackAsksForAReason(t *testing.T) {
	tests := []struct {
		name, reason, wantError string
	}{
		{"empty", "", "Give a reason: it is shown on the step's card and kept in the audit trail."},
		{"blank", " \n\t ", "Give a reason"},
		{"too long", strings.Repeat("x", maxReason+1), "At most 500 characters, please."},
		{"not text", "bad \xff byte", "characters that are not text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newApprovalService(t)
			card := submitted(t, s)
			form := press(t, s, card, "Send back", dave, "")
			if form.Form == nil || form.Form.Fields[0].ID != SendBackReason || form.Form.Fields[0].Optional {
				t.Fatalf("Send back opened no form with a required reason: %+v", form)
			}
			before, n := stored(m), len(trail(m))
			r := clickAs(t, s, card, "Send back", dave, reasonValues(tc.reason))
			if r.Form == nil || !strings.Contains(r.FormError, tc.wantError) || r.FormField != SendBackReason {
				t.Errorf("error %q on %q, want %q", r.FormError, r.FormField, tc.wantError)
			}
			unchanged(t, m, before, n)
		})
	}
}

func TestSendBackOpensTheStepAgain(t *testing.T) {
	s, m := newApprovalService(t)
	card := submitted(t, s)
	r := clickAs(t, s, card, "Send back", dave, reasonValues("  Acme is our clearing firm, not our CAT Reporting Agent.\n"))
	text := body(r)
	if r.Title != "Step 4: Determine how the firm will submit data to CAT CAIS" || !hasLabel(r, "Self-report: manual entry") || hasLabel(r, "Approve") ||
		!strings.Contains(text, "↩️ **Sent back** by @{UDAVE} on Nov 24, 2026") ||
		!strings.Contains(text, ": “Acme is our clearing firm, not our CAT Reporting Agent.” (the answer “CAT Reporting Agent” confirmed by @{U1}). The step is open again.") {
		t.Fatalf("card after sending back: %v\n%s", labels(r), text)
	}
	if !strings.Contains(r.Public, "@{UDAVE} sent **Step 4: Determine how the firm will submit data to CAT CAIS** back (answer: CAT Reporting Agent, confirmed by @{U1}); the step is open again. Reason: “Acme is our clearing firm, not our CAT Reporting Agent.”") {
		t.Errorf("public line: %q", r.Public)
	}
	e, p := lastEntry(m), stored(m)
	if e.Action != ActSendBack || e.User != dave || e.Step != "method" || e.Choice != "agent" || e.Detail != "Acme is our clearing firm, not our CAT Reporting Agent." {
		t.Errorf("entry %+v", e)
	}
	if p.Pending != nil || p.Current != "method" || len(p.Path) != 3 || p.SentBack == nil || p.SentBack.By != dave {
		t.Errorf("stored: pending %+v, current %q, path %d, sent back %+v", p.Pending, p.Current, len(p.Path), p.SentBack)
	}
	if st := body(command(t, s, "U1", "status")); !strings.Contains(st, "↳ Sent back by @{UDAVE} on") || !strings.Contains(st, "➡️ **Step 4") {
		t.Errorf("status:\n%s", st)
	}
	// Answered again: the sent-back note goes; approved: the firm moves on.
	again := press(t, s, r, "Self-report: manual entry", "U1", "")
	if strings.Contains(body(again), "Sent back") || !hasLabel(again, "Approve") {
		t.Errorf("card after answering again:\n%s", body(again))
	}
	if next := press(t, s, again, "Approve", carol, ""); next.Title != "Step 6: Certify for Full CAIS Production (self-reporting firms)" {
		t.Errorf("after approval: %q", next.Title)
	}
	if p := stored(m); p.SentBack != nil || p.Pending != nil {
		t.Errorf("after approval: sent back %+v, pending %+v", p.SentBack, p.Pending)
	}
	assertReplaysTo(t, s.Flow, stored(m), trail(m))
}

func TestWhoMaySendBack(t *testing.T) {
	for _, tc := range []struct {
		who   string
		ok    bool
		wants string
	}{
		{dave, true, ""},
		{"U1", true, ""}, // the maker withdraws their own answer
		{"U2", false, "Only a principal other than the person who confirmed it can send it back: @{UCAROL}, @{UDAVE} (or @{U1}, who confirmed it)."},
	} {
		t.Run(tc.who, func(t *testing.T) {
			s, m := newApprovalService(t)
			card := submitted(t, s)
			before, n := stored(m), len(trail(m))
			r := clickAs(t, s, card, "Send back", tc.who, reasonValues("wrong answer"))
			if !tc.ok {
				if r.Title != "Principals only" || !strings.Contains(body(r), tc.wants) {
					t.Errorf("refusal:\n%s", body(r))
				}
				unchanged(t, m, before, n)
				return
			}
			if e := lastEntry(m); e.Action != ActSendBack || e.User != tc.who {
				t.Errorf("entry %+v", e)
			}
		})
	}
}

// Late clicks on Approve or Send back meet the decision already made,
// and say who made it.
func TestLateDecisionsAreTold(t *testing.T) {
	tests := []struct {
		name  string
		first func(t *testing.T, s *Service, card Reply)
		late  func(t *testing.T, s *Service, card Reply) Reply
		want  string
	}{
		{"approve after approve", func(t *testing.T, s *Service, c Reply) { press(t, s, c, "Approve", carol, "") },
			func(t *testing.T, s *Service, c Reply) Reply { return press(t, s, c, "Approve", dave, "") },
			"Step 4 was already confirmed by @{U1} on Nov 24, 2026 at 10:05 AM EST (answer: CAT Reporting Agent, approved by @{UCAROL} on Nov 24, 2026 at 10:06 AM EST)."},
		{"send back after approve", func(t *testing.T, s *Service, c Reply) { press(t, s, c, "Approve", carol, "") },
			func(t *testing.T, s *Service, c Reply) Reply {
				return clickAs(t, s, c, "Send back", dave, reasonValues("no"))
			},
			"approved by @{UCAROL}"},
		{"approve after send back", func(t *testing.T, s *Service, c Reply) { clickAs(t, s, c, "Send back", dave, reasonValues("no")) },
			func(t *testing.T, s *Service, c Reply) Reply { return press(t, s, c, "Approve", carol, "") },
			"This card is from before @{UDAVE} sent Step 4 back on"},
		{"a send-back form opened before the approval", nil,
			func(t *testing.T, s *Service, c Reply) Reply {
				form := press(t, s, c, "Send back", dave, "")
				press(t, s, c, "Approve", carol, "")
				return submitAs(t, s, dave, form.FormToken, reasonValues("too late"))
			},
			"approved by @{UCAROL}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newApprovalService(t)
			card := submitted(t, s)
			if tc.first != nil {
				tc.first(t, s, card)
			}
			before, n := stored(m), len(trail(m))
			r := tc.late(t, s, card)
			if !strings.Contains(body(r), tc.want) || !strings.Contains(body(r), "Nothing was changed.") {
				t.Errorf("late click:\n%s", body(r))
			}
			if tc.first != nil {
				unchanged(t, m, before, n)
			}
			if got := countActions(trail(m), ActApprove) + countActions(trail(m), ActSendBack); got != 1 {
				t.Errorf("%d decisions recorded, want 1", got)
			}
		})
	}
	s, m := newApprovalService(t)
	old := toMethod(t, s)
	press(t, s, old, "CAT Reporting Agent", "U1", "Acme")
	before, n := stored(m), len(trail(m))
	if r := press(t, s, old, "Self-report: manual entry", "U2", ""); !strings.Contains(body(r), "This card is from before @{U1} confirmed Step 4 for approval on") {
		t.Errorf("an answer on an old card:\n%s", body(r))
	}
	unchanged(t, m, before, n)
}

func countActions(entries []Entry, action string) int {
	n := 0
	for _, e := range entries {
		if e.Action == action {
			n++
		}
	}
	return n
}

// Two principals deciding at once: one decision lands, the other is told.
func TestRacingDecisionsMakeOne(t *testing.T) {
	for range 20 {
		s, m := newApprovalService(t)
		card := submitted(t, s)
		var tick atomic.Int64 // newService's clock is not for goroutines
		s.Now = func() time.Time { return t0.Add(time.Duration(tick.Add(1)) * time.Hour) }
		var wg sync.WaitGroup
		replies := make([]Reply, 2)
		for i, who := range []string{carol, dave} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var r Reply
				var err error
				if i == 0 {
					r, err = s.Click(context.Background(), testFirm, Event{User: who}, card.Actions[0].Value) // Approve
				} else {
					r, err = s.Click(context.Background(), testFirm, Event{User: who, Values: reasonValues("no"), Submitted: true}, card.Actions[1].Value) // Send back
				}
				if err != nil {
					t.Error(err)
				}
				replies[i] = r
			}()
		}
		wg.Wait()
		decisions := countActions(trail(m), ActApprove) + countActions(trail(m), ActSendBack)
		told := 0
		for _, r := range replies {
			if strings.Contains(body(r), "Nothing was changed.") {
				told++
			}
		}
		if decisions != 1 || told != 1 {
			t.Fatalf("%d decisions, %d told:\n%s\n%s", decisions, told, body(replies[0]), body(replies[1]))
		}
	}
}

func TestUndoWithdrawsAndResetClearsTheAnswerAwaitingApproval(t *testing.T) {
	s, m := newApprovalService(t)
	card := submitted(t, s)
	r := command(t, s, admin, "undo")
	p, e := stored(m), lastEntry(m)
	if p.Pending != nil || p.Current != "method" || len(p.Path) != 3 || e.Action != ActUndo || e.Step != "method" || e.Choice != "agent" ||
		!strings.HasPrefix(e.Detail, "withdrew Step 4, which awaited approval (was: CAT Reporting Agent, by U1 at ") {
		t.Errorf("after undo: pending %+v, current %q, path %d, entry %+v", p.Pending, p.Current, len(p.Path), e)
	}
	if !strings.Contains(r.Public, "@{UADMIN} withdrew **Step 4: Determine how the firm will submit data to CAT CAIS** from approval") || !hasLabel(r, "CAT Reporting Agent") {
		t.Errorf("undo reply: %q %v", r.Public, labels(r))
	}
	before, n := stored(m), len(trail(m))
	if late := press(t, s, card, "Approve", carol, ""); !strings.Contains(body(late), "This card is from before @{UADMIN} reopened Step 4") {
		t.Errorf("approve after the withdrawal:\n%s", body(late))
	}
	unchanged(t, m, before, n)
	command(t, s, admin, "undo") // the next undo reopens Step 3
	if p := stored(m); p.Current != "test_entitlements" || len(p.Path) != 2 {
		t.Errorf("second undo: current %q, path %d", p.Current, len(p.Path))
	}
	assertReplaysTo(t, s.Flow, stored(m), trail(m))

	card = press(t, s, command(t, s, "U1", ""), "Test entitlements granted", "U1", "")
	press(t, s, card, "Self-report: manual entry", "U1", "")
	press(t, s, command(t, s, admin, "reset"), "Reset all progress", admin, "")
	if p, e := stored(m), lastEntry(m); p.Pending != nil || p.Current != "" || !strings.HasSuffix(e.Detail, "and the answer awaiting approval") {
		t.Errorf("after reset: pending %+v, current %q, detail %q", p.Pending, p.Current, e.Detail)
	}
	assertReplaysTo(t, s.Flow, stored(m), trail(m))
}

func TestHistoryTellsTheDecisions(t *testing.T) {
	s, _ := newApprovalService(t)
	card := submitted(t, s)
	card = clickAs(t, s, card, "Send back", dave, reasonValues("name the agent *exactly*"))
	card = press(t, s, card, "Self-report: file upload", "U1", "")
	press(t, s, card, "Approve", carol, "")
	h := body(command(t, s, "U1", "history"))
	for _, want := range []string{
		"@{U1} confirmed Step 4 for approval (CAT Reporting Agent: “Acme Clearing LLC”)",
		"@{UDAVE} sent Step 4 back: “name the agent *exactly*”",
		"@{U1} confirmed Step 4 for approval (Self-report: file upload)",
		"@{UCAROL} approved Step 4 (Self-report: file upload)",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("history lacks %q:\n%s", want, h)
		}
	}
}

// The export shows a reason as typed, even one that looks like a list of
// agents, and the decisions with their actions.
func TestExportKeepsTheReasonAsTyped(t *testing.T) {
	s, _ := newApprovalService(t)
	clickAs(t, s, submitted(t, s), "Send back", dave, reasonValues(`name them: ["Acme"]`))
	r := command(t, s, "U1", "export")
	if r.File == nil {
		t.Fatalf("no file: %s", body(r))
	}
	csv := string(r.File.Content)
	for _, want := range []string{`,submit,method,`, `,send_back,method,`, `"name them: [""Acme""]","name them: [""Acme""]"`} {
		if !strings.Contains(csv, want) {
			t.Errorf("export lacks %s:\n%s", want, csv)
		}
	}
}

// An answer awaiting approval when the operator empties CAIS_PRINCIPALS:
// the card says no one can approve it and how to withdraw it; Approve is
// refused with the same words; the maker may still withdraw it.
func TestAwaitingApprovalWithNoPrincipalsLeft(t *testing.T) {
	s, m := newApprovalService(t)
	submitted(t, s)
	s.Flow.Principals = nil
	card := command(t, s, "U2", "")
	if !strings.Contains(body(card), "No principal other than @{U1} can approve it yet: one must be added first (`{cmd} principals` says who can add one, and how). To withdraw it, @{U1} can send it back, or an admin can with `{cmd} undo`.") || !hasLabel(card, "Approve") {
		t.Fatalf("card:\n%s", body(card))
	}
	before, n := stored(m), len(trail(m))
	if r := press(t, s, card, "Approve", carol, ""); !strings.Contains(body(r), "No principals are configured to decide it: one must be added first (`{cmd} principals` says who can add one, and how).") {
		t.Errorf("approve:\n%s", body(r))
	}
	unchanged(t, m, before, n)
	clickAs(t, s, card, "Send back", "U1", reasonValues("withdrawn until we have principals"))
	if p := stored(m); p.Pending != nil || lastEntry(m).Action != ActSendBack {
		t.Errorf("the maker's withdrawal: pending %+v, entry %+v", p.Pending, lastEntry(m))
	}
}
