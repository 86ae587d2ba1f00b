package teams

import (
	"context"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
)

// Maker-checker through Teams: the card awaiting approval, the refusal,
// the approval, the send-back form and a late click.

var carol = person("Carol Principal")

// newApprovalRig is newRig with Carol as the one principal.
func newApprovalRig(t *testing.T) *rig {
	r := newRig(t)
	r.h.cfg.Service.Flow.Principals = []string{CanonicalUser(carol.AADObjectID)}
	return r
}

func (r *rig) lastEntry() dialogs.Entry {
	r.t.Helper()
	e, err := r.store.Audit(context.Background(), r.firm(), -1, -1)
	if err != nil || len(e) != 1 {
		r.t.Fatalf("audit: %v %v", e, err)
	}
	return e[0]
}

// publicLine fails unless a public line holds want.
func (r *rig) publicLine(want string) {
	r.t.Helper()
	var got []string
	for _, p := range r.publicLines() {
		if strings.Contains(p.Activity.Text, want) {
			return
		}
		got = append(got, p.Activity.Text)
	}
	r.t.Errorf("no public line with %q:\n%s", want, strings.Join(got, "\n"))
}

func TestApprovalOnTeams(t *testing.T) {
	r := newApprovalRig(t)
	u := person("Uma One")
	r.say(carol, "status") // Teams names the people it has seen
	card := r.say(u, "")
	for _, label := range []string{"Yes", "Registration submitted", "Test entitlements granted"} {
		card = r.click(card, label, u)
	}
	card = r.form(r.click(card, "CAT Reporting Agent", u), "Acme Clearing", u)
	s := cardString(card.Card)
	if !strings.HasPrefix(title(card.Card), "Step 4:") || !strings.Contains(s, "⏳ **Awaits approval.** Uma One confirmed “CAT Reporting Agent” on Nov 24, 2026") ||
		!strings.Contains(s, "(agents: **Acme Clearing**)") || !strings.Contains(s, "approves it or sends it back: Carol Principal.") ||
		!strings.Contains(s, "[Approve|positive] [Send back|]") {
		t.Fatalf("card awaiting approval:\n%s", s)
	}
	if faults := validateCard(mustJSON(card.Card)); len(faults) != 0 {
		t.Fatalf("card invalid: %v", faults)
	}
	r.publicLine("it awaits approval by a principal: <at>Carol Principal</at>.")
	n := r.audit()
	refused := cardString(r.click(card, "Approve", u).Card)
	if !strings.Contains(refused, "Only a principal can approve it: Carol Principal. You confirmed it, so you may send it back yourself to withdraw it.") || r.audit() != n {
		t.Fatalf("the maker's approval (audit %d → %d):\n%s", n, r.audit(), refused)
	}
	if st := cardString(r.say(u, "status").Card); !strings.Contains(st, "— awaits approval: CAT Reporting Agent, confirmed by Uma One") {
		t.Errorf("status:\n%s", st)
	}
	next := r.click(card, "Approve", carol)
	if !strings.HasPrefix(title(next.Card), "Step 5:") || !strings.Contains(cardString(next.Card), "**Acme Clearing**") {
		t.Fatalf("after approval:\n%s", cardString(next.Card))
	}
	if e := r.lastEntry(); e.Action != dialogs.ActApprove || e.User != CanonicalUser(carol.AADObjectID) || e.Name != "Carol Principal" {
		t.Errorf("entry %+v", e)
	}
	r.publicLine("<at>Carol Principal</at> approved **Step 4: Determine how the firm will submit data to CAT CAIS** — the firm will use a CAT Reporting Agent (answer: CAT Reporting Agent, confirmed by <at>Uma One</at> on Nov 24, 2026")
	if st := cardString(r.say(u, "status").Card); !strings.Contains(st, "CAT Reporting Agent, confirmed by Uma One on Nov 24, 2026") || !strings.Contains(st, "approved by Carol Principal on") {
		t.Errorf("status after approval:\n%s", st)
	}
}

func TestSendBackOnTeams(t *testing.T) {
	r := newApprovalRig(t)
	u := person("Uma One")
	card := r.click(r.say(u, ""), "Record “No”", u)
	form := r.click(card, "Send back", carol)
	in := inputsOf(form.Card)
	if in["caisField_reason"].Type != inputText || !in["caisField_reason"].IsRequired || !in["caisField_reason"].IsMultiline {
		t.Fatalf("send-back form inputs: %+v\n%s", in, cardString(form.Card))
	}
	if faults := validateCard(mustJSON(form.Card)); len(faults) != 0 {
		t.Fatalf("form card invalid: %v", faults)
	}
	n := r.audit()
	bad := r.submitFields(form, map[string]string{"reason": strings.Repeat("x", 501)}, carol)
	if !strings.Contains(cardString(bad.Card), "At most 500 characters") || r.audit() != n {
		t.Fatalf("a long reason (audit %d):\n%s", r.audit(), cardString(bad.Card))
	}
	back := r.submitFields(bad, map[string]string{"reason": "We report FDID events (ticket HD-12)."}, carol)
	s := cardString(back.Card)
	if !strings.HasPrefix(title(back.Card), "Step 1:") || !strings.Contains(s, "↩️ **Sent back** by Carol Principal on") ||
		!strings.Contains(s, "“We report FDID events (ticket HD-12).” (the answer “No” confirmed by Uma One)") || !strings.Contains(s, "[Yes|positive]") {
		t.Fatalf("card after sending back:\n%s", s)
	}
	if e := r.lastEntry(); e.Action != dialogs.ActSendBack || e.Detail != "We report FDID events (ticket HD-12)." || r.audit() != n+1 {
		t.Errorf("entry %+v", e)
	}
	r.publicLine("<at>Carol Principal</at> sent **Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS** back")
	late := cardString(r.click(card, "Approve", carol).Card)
	if !strings.Contains(late, "This card is from before Carol Principal sent Step 1 back on") || r.audit() != n+1 {
		t.Errorf("a late approval:\n%s", late)
	}
}
