package slackbot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/slack-go/slack"
)

// Maker-checker through Slack: the card awaiting approval, its buttons,
// the refusal, the approval, the send-back modal and its reason.

const carol = "U0CAROL"

// newApprovalRig is newRig with Carol as the one principal.
func newApprovalRig(t *testing.T) *rig {
	r := newRig(t)
	r.h.cfg.Service.Flow.Principals = []string{carol}
	return r
}

// toStep4 walks to Step 4 as U1 and returns its card.
func (r *rig) toStep4() slack.Blocks {
	r.t.Helper()
	card := r.slash("U1", "")
	for _, label := range []string{"Yes", "Registration submitted", "Test entitlements granted"} {
		card = r.click(card, label, "U1")
	}
	return card
}

// lastEntry is the firm's latest audit entry.
func (r *rig) lastEntry() dialogs.Entry {
	r.t.Helper()
	e, err := r.store.Audit(context.Background(), slackFirm(team), -1, -1)
	if err != nil || len(e) != 1 {
		r.t.Fatalf("audit: %v %v", e, err)
	}
	return e[0]
}

// publicLine waits for a channel post containing want.
func (r *rig) publicLine(want string) {
	r.t.Helper()
	r.h.Wait()
	var got []string
	for _, p := range r.slack.Calls("chat.postMessage") {
		if txt := p.Form.Get("text"); strings.Contains(txt, want) {
			return
		} else {
			got = append(got, txt)
		}
	}
	r.t.Errorf("no channel line with %q; lines:\n%s", want, strings.Join(got, "\n"))
}

func TestApprovalThroughSlack(t *testing.T) {
	r := newApprovalRig(t)
	card := r.click(r.toStep4(), "Self-report: manual entry", "U1")
	txt := text(card)
	if header(card) != "Step 4: Determine how the firm will submit data to CAT CAIS" ||
		!strings.Contains(txt, "⏳ *Awaits approval.* <@U1> confirmed “Self-report: manual entry” on Nov 24, 2026") ||
		!strings.Contains(txt, "approves it or sends it back: <@U0CAROL>.") ||
		!strings.Contains(txt, "[Approve|primary] [Send back|]") || strings.Contains(txt, "[Self-report: file upload") {
		t.Fatalf("card awaiting approval:\n%s", txt)
	}
	r.publicLine("it awaits approval by a principal: <@U0CAROL>.")
	if e := r.lastEntry(); e.Action != dialogs.ActSubmit || e.User != "U1" || e.Choice != "self_manual" {
		t.Errorf("entry %+v", e)
	}
	home := text(r.openHome("U2"))
	if !strings.Contains(home, "⏳ *Step 4: Determine how the firm will submit data to CAT CAIS* — awaits approval: Self-report: manual entry, confirmed by <@U1>") {
		t.Errorf("home:\n%s", home)
	}

	n := r.audit()
	refused := text(r.click(card, "Approve", "U1"))
	if !strings.Contains(refused, "Only a principal can approve it: <@U0CAROL>. You confirmed it, so you may send it back yourself to withdraw it.") || !strings.Contains(refused, "Nothing was changed.") || r.audit() != n {
		t.Fatalf("the maker's approval:\n%s", refused)
	}
	refused = text(r.click(card, "Approve", "U2"))
	if !strings.Contains(refused, "can approve it: <@U0CAROL>.") || r.audit() != n {
		t.Fatalf("a team member's approval:\n%s", refused)
	}

	next := r.click(card, "Approve", carol)
	if header(next) != "Step 6: Certify for Full CAIS Production (self-reporting firms)" {
		t.Fatalf("after approval: %s", text(next))
	}
	r.publicLine("<@U0CAROL> approved *Step 4: Determine how the firm will submit data to CAT CAIS*")
	if e := r.lastEntry(); e.Action != dialogs.ActApprove || e.User != carol || e.Detail != "Self-report: manual entry" {
		t.Errorf("entry %+v", e)
	}
	status := text(r.slash("U2", "status"))
	if !strings.Contains(status, "Self-report: manual entry, confirmed by <@U1> on Nov 24, 2026") || !strings.Contains(status, "approved by <@U0CAROL> on Nov 24, 2026") {
		t.Errorf("status:\n%s", status)
	}
	late := text(r.click(card, "Approve", carol))
	if !strings.Contains(late, "already confirmed by <@U1>") || !strings.Contains(late, "approved by <@U0CAROL>") || r.audit() != n+1 {
		t.Errorf("a late approval:\n%s", late)
	}
}

func reasonState(reason string) map[string]any {
	return map[string]any{"f_reason": map[string]any{"f_reason": map[string]any{"type": "plain_text_input", "value": reason}}}
}

func TestSendBackThroughSlack(t *testing.T) {
	r := newApprovalRig(t)
	card := r.click(r.slash("U1", ""), "No", "U1")
	before := len(r.slack.Calls("views.open"))
	resp := r.post(r.clickPayload(button(t, card, "Send back"), carol, "sendback"), "application/x-www-form-urlencoded")
	resp.Body.Close()
	opens := r.slack.Wait(t, "views.open", before+1)
	view, _ := opens[len(opens)-1].JSON["view"].(map[string]any)
	blocks, _ := view["blocks"].([]any)
	if len(blocks) != 1 || blocks[0].(map[string]any)["block_id"] != "f_reason" || blocks[0].(map[string]any)["optional"] == true {
		t.Fatalf("send-back modal blocks: %v", blocks)
	}
	n := r.audit()
	if st, body := r.submitAs(carol, view, reasonState("   ")); st != 200 || !strings.Contains(body, `"f_reason":"Give a reason`) || r.audit() != n {
		t.Fatalf("a blank reason: %d %s", st, body)
	}
	for range 2 { // submitted twice: recorded once
		if st, body := r.submitAs(carol, view, reasonState("We do report FDID events: see ticket HD-12.")); st != 200 || body != "" {
			t.Fatalf("send back: %d %s", st, body)
		}
	}
	if r.audit() != n+1 {
		t.Fatalf("%d entries after sending back, want %d", r.audit(), n+1)
	}
	e := r.lastEntry()
	if e.Action != dialogs.ActSendBack || e.User != carol || e.Detail != "We do report FDID events: see ticket HD-12." {
		t.Errorf("entry %+v", e)
	}
	out := text(r.responded("sendback"))
	if !strings.Contains(out, "↩️ *Sent back* by <@U0CAROL> on Nov 24, 2026") || !strings.Contains(out, "“We do report FDID events: see ticket HD-12.” (the answer “No” confirmed by <@U1>)") ||
		!strings.Contains(out, "[Yes|primary]") {
		t.Errorf("card after sending back:\n%s", out)
	}
	r.publicLine("<@U0CAROL> sent *Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS* back")
}

// Principals approving at once over Redis: one approval, one channel
// line, and every clicker told.
func TestSimultaneousApprovals(t *testing.T) {
	r := newApprovalRig(t)
	principals := []string{carol, "U0DAVE", "U0ERIN", "U0FRANK"}
	r.h.cfg.Service.Flow.Principals = principals
	card := r.click(r.toStep4(), "Self-report: file upload", "U1")
	r.h.Wait()
	n, lines, told := r.audit(), len(r.slack.Calls("chat.postMessage")), len(r.slack.Calls("response_url"))
	btn := button(t, card, "Approve")
	var wg sync.WaitGroup
	for i, p := range principals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := r.post(r.clickPayload(btn, p, fmt.Sprintf("approve%d", i)), "application/x-www-form-urlencoded")
			resp.Body.Close()
		}()
	}
	wg.Wait()
	r.h.Wait()
	if got := r.audit() - n; got != 1 || r.lastEntry().Action != dialogs.ActApprove {
		t.Fatalf("%d entries after simultaneous approvals, want 1 approval", got)
	}
	if got := len(r.slack.Calls("chat.postMessage")) - lines; got != 1 {
		t.Errorf("%d channel lines, want 1", got)
	}
	if got := len(r.slack.Calls("response_url")) - told; got != len(principals) {
		t.Errorf("%d clickers told, want %d", got, len(principals))
	}
	late := 0
	for i := range principals {
		if out := text(r.responded(fmt.Sprintf("approve%d", i))); strings.Contains(out, "already confirmed by <@U1>") && strings.Contains(out, ", approved by <@") {
			late++
		}
	}
	if late != len(principals)-1 {
		t.Errorf("%d late clickers told who approved, want %d", late, len(principals)-1)
	}
}
