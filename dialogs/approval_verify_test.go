package dialogs

import (
	"strings"
	"testing"
	"time"
)

// Maker-checker entries in verify: replayed, and compared with the
// stored progress.

// approvalJourney submits, sends back, resubmits and approves Step 4,
// then submits 6(A)'s request with a reference, as U1 with Carol and
// Dave deciding; it ends awaiting approval.
func approvalJourney(t *testing.T, s *Service) {
	card := submitted(t, s)
	card = clickAs(t, s, card, "Send back", dave, reasonValues("two agents, please"))
	card = press(t, s, card, "CAT Reporting Agent", "U1", "Acme Clearing LLC\nBureau (reference: B) Co")
	card = press(t, s, card, "Approve", carol, "")
	card = walkOn(t, s, card, "Test relationships saved", "Agent certified", "Agent certified")
	press(t, s, card, "Certification requested", "U1", "ref=HD (reference: 9);follow_up=2026-12-20")
}

func TestApprovalJourneysReplayToTheirProgress(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s *Service)
	}{
		{"submitted, sent back, approved, submitted again", approvalJourney},
		{"approved with the wait it starts", func(t *testing.T, s *Service) {
			approvalJourney(t, s)
			press(t, s, command(t, s, dave, ""), "Approve", dave, "")
		}},
		{"sent back and still open", func(t *testing.T, s *Service) {
			clickAs(t, s, submitted(t, s), "Send back", "U1", reasonValues("I clicked the wrong answer"))
		}},
		{"withdrawn by undo", func(t *testing.T, s *Service) {
			submitted(t, s)
			command(t, s, admin, "undo")
			command(t, s, admin, "undo")
		}},
		{"reset while awaiting approval", func(t *testing.T, s *Service) {
			press(t, s, command(t, s, "U1", ""), "No", "U1", "")
			press(t, s, command(t, s, admin, "reset"), "Reset all progress", admin, "")
		}},
		{"No approved, reopened", func(t *testing.T, s *Service) {
			card := press(t, s, command(t, s, "U1", ""), "No", "U1", "")
			card = press(t, s, card, "Approve", carol, "")
			press(t, s, card, "Reopen Step 1", "U1", "")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newApprovalService(t)
			tc.run(t, s)
			assertReplaysTo(t, s.Flow, stored(m), trail(m))
			if r := command(t, s, "U1", "verify"); !strings.Contains(r.Title, "verified") {
				t.Errorf("verify: %s", body(r))
			}
		})
	}
}

func TestVerifyNamesEditedApprovals(t *testing.T) {
	for _, tc := range []struct {
		name    string
		approve bool // the journey's last answer approved first
		edit    func(p *Progress)
		want    string
	}{
		{"who approved", false, func(p *Progress) { p.Path[3].Approver = "U1" }, "stored progress says Step 4 was approved by @{U1} on Nov 24, 2026 at 10:08 AM EST; the trail says it was approved by @{UCAROL} on Nov 24, 2026 at 10:08 AM EST (entry 7)"},
		{"when it was approved", false, func(p *Progress) { p.Path[3].ApprovedAt = p.Path[3].ApprovedAt.Add(-time.Hour) }, "Step 4 was approved by @{UCAROL} on Nov 24, 2026 at 9:08 AM EST; the trail says it was approved by @{UCAROL} on Nov 24, 2026 at 10:08 AM EST"},
		{"an approval added", false, func(p *Progress) { p.Path[1].Approver, p.Path[1].ApprovedAt = carol, p.Path[1].At }, "Step 2 was approved by @{UCAROL} on Nov 24, 2026 at 10:03 AM EST; the trail says it needed no approval (entry 2)"},
		{"the answer awaiting approval dropped", false, func(p *Progress) { p.Pending = nil }, "trail says Step 6(A) awaits approval (entry 11); the stored progress says it does not"},
		{"who confirmed the answer awaiting approval", false, func(p *Progress) { p.Pending.Confirmation.User = carol }, "Step 6(A) was confirmed by @{UCAROL}; the trail says @{U1} (entry 11)"},
		{"its reference", false, func(p *Progress) { p.Pending.Ref = "HD-1" }, "gives reference “HD-1” and follow-up 2026-12-20; the trail says “HD (reference: 9)”"},
		{"an answer awaiting approval added", true, func(p *Progress) {
			p.Pending = &Pending{Confirmation: Confirmation{Step: "certify_agent_requested", Choice: "requested", User: "U1"}}
		}, "stored progress says Step 6(A) awaits approval (answered “requested” by @{U1}); the trail says it does not"},
		{"a sending back added", false, func(p *Progress) {
			p.SentBack = &SentBack{Step: "method", Choice: "agent", User: "U1", By: dave, Reason: "fine"}
		}, "stored progress says Step 4 was sent back by @{UDAVE}; the trail does not"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newApprovalService(t)
			approvalJourney(t, s)
			if tc.approve {
				press(t, s, command(t, s, dave, ""), "Approve", dave, "")
			}
			m.mu.Lock()
			p := m.p["F1"]
			tc.edit(&p)
			m.p["F1"] = p
			m.mu.Unlock()
			r := command(t, s, "U1", "verify")
			if text := body(r); !strings.Contains(r.Title, "failed its check") || !strings.Contains(text, tc.want) {
				t.Errorf("verify after editing %s:\n%s", tc.name, text)
			}
		})
	}
}

// Entries that decide an answer the trail never submitted are named.
func TestReplayNamesDecisionsWithoutASubmission(t *testing.T) {
	at := t0
	entries := []Entry{
		{Seq: 1, At: at, User: "U1", Action: ActApprove, Step: "obligation", Choice: "no", Detail: "No", Version: 1},
		{Seq: 2, At: at, User: "U1", Action: ActSendBack, Step: "obligation", Choice: "no", Detail: "why", Version: 2},
	}
	rp := Replay(Default(), entries)
	got := strings.Join(rp.Problems, "\n")
	for _, want := range []string{"entry 1 approves Step 1 “no”, which the trail had not submitted for approval", "entry 2 sends back an answer the trail had not submitted for approval"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}

// The card of 6(A)'s request awaiting approval says what approval starts.
func TestPendingRequestSaysWhatApprovalStarts(t *testing.T) {
	s, _ := newApprovalService(t)
	approvalJourney(t, s)
	if c := body(command(t, s, "U2", "")); !strings.Contains(c, "Once it is approved, the next step waits on FINRA CAT (reference: HD (reference: 9)), follow-up December 20, 2026.") {
		t.Errorf("card:\n%s", c)
	}
}
