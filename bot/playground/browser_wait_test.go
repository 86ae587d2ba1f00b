package playground

import (
	"testing"
	"time"
)

// TestBrowserWaitJourney sets and ends a wait on Step 1 through the page,
// against the real bot: the "Waiting on someone…" modal with its date
// picker, the card that says whom the step waits on since when, and
// "Clear wait".
func TestBrowserWaitJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	loc, _ := time.LoadLocation("America/New_York")
	today := time.Now().In(loc)
	b := NewBrowser(t, realBot(t))
	b.SwitchUser("U0ALICE")
	b.Compose("/cais-next")
	b.WaitText(".msg .blk-header", "Step 1: Determine")
	b.ClickButton("Waiting on someone…")
	b.WaitText("#modal .modal-title", "Waiting on someone")

	var picker struct {
		Type, Value string
	}
	b.Eval(`(() => { const e = document.querySelector('#modal #in-f_follow_up'); return e ? {Type: e.type, Value: e.value} : {}; })()`, &picker)
	if picker.Type != "date" || picker.Value != today.AddDate(0, 0, 7).Format(time.DateOnly) {
		t.Fatalf("follow-up input %+v, want a date input set a week ahead", picker)
	}
	b.Type("#modal #in-f_who", "Example Clearing LLC")
	b.Type("#modal #in-f_ref", "Ticket 4711")
	follow := today.AddDate(0, 0, 10)
	b.Eval(`(() => { const e = document.querySelector('#modal #in-f_follow_up'); e.value = '`+follow.Format(time.DateOnly)+`'; e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, nil)
	b.Screenshot("caisbot-wait-form")

	// Slack checks the required field in the client.
	b.Type("#modal #in-f_who", "")
	b.ClickButton("Save")
	b.WaitText("#modal .field-error", "Please fill out this field.")
	b.Type("#modal #in-f_who", "Example Clearing LLC")
	b.ClickButton("Save")
	b.WaitFor("the modal to close", `document.getElementById('modal-root').hidden`)
	b.WaitText(".msg .mrkdwn", "Waiting on Example Clearing LLC since "+today.Format("January 2, 2006"))
	b.WaitText(".msg .mrkdwn", "Reference: Ticket 4711 · Follow-up: "+follow.Format("January 2, 2006")+" — 10 days left")
	b.WaitText(".msg .mrkdwn", "is waiting on Example Clearing LLC")
	b.Screenshot("caisbot-wait")

	b.ClickButton("Clear wait")
	b.WaitText(".msg .mrkdwn", "cleared the wait of")
	b.WaitNoText(".msg", "Waiting on Example Clearing LLC since")
	b.WaitText(".msg .btn", "Waiting on someone…")
}
