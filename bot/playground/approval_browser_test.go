package playground

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserRealBotApproval is maker-checker in the page: Alice confirms
// Step 4, the card awaits approval, Alice's own Approve is refused, Carol
// (the principal) sends it back with a reason, Alice answers again and
// Carol approves: the firm moves on. Screenshots as in
// TestBrowserRealBotJourney.
func TestBrowserRealBotApproval(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	b := NewBrowser(t, realBotWith(t, []string{"U0CAROL"}))
	b.SwitchUser("U0ALICE")
	b.Compose("/cais-next")
	for _, step := range []struct{ click, next string }{
		{"Yes", "Step 2: Register for CAT CAIS"},
		{"Registration submitted", "Step 3: Grant CAT CAIS Test Environment entitlement"},
		{"Test entitlements granted", "Step 4: Determine how the firm will submit data to CAT CAIS"},
	} {
		b.ClickButton(step.click)
		b.WaitText(".msg .blk-header", step.next)
	}
	b.ClickButton("Self-report: file upload")
	b.WaitText(".msg .mrkdwn", "Awaits approval.")
	b.WaitText(".msg .mrkdwn", "approves it or sends it back: @Carol (Service bureau)")
	b.WaitText(".msg .mrkdwn", "it awaits approval by a principal: @Carol (Service bureau)")
	// The card in view, once the page has settled (it keeps to the newest
	// message while it re-renders); its hourglass drawn by the page.
	b.Do(chromedp.Sleep(time.Second))
	b.WaitFor("the card in view", `(() => { const m = [...document.querySelectorAll('.msg')].filter(e => e.textContent.includes('Awaits approval.')).pop(); m.scrollIntoView({block: 'start'}); return m.getBoundingClientRect().top < 120 && m.querySelector('.st-awaiting-approval') !== null && !m.textContent.includes('\u23f3'); })()`)
	b.Screenshot("caisbot-approval")

	b.ClickButton("Approve")
	b.WaitText(".msg .mrkdwn", "Only a principal can approve it: @Carol (Service bureau). You confirmed it, so you may send it back yourself")
	b.WaitNoText(".msg .blk-header", "Step 6: Certify for Full CAIS Production")

	// Carol sends it back with a reason; Alice answers again.
	b.SwitchUser("U0CAROL")
	b.Compose("/cais-next")
	b.WaitText(".msg .mrkdwn", "Awaits approval.")
	b.ClickButton("Send back")
	b.WaitText("#modal .modal-title", "Send back")
	b.Type("#modal #in-f_reason", "File upload needs our IT team's sign-off first.")
	b.ClickButton("Send back")
	b.WaitFor("the modal to close", `document.getElementById('modal-root').hidden`)
	b.WaitText(".msg .mrkdwn", "Sent back by @Carol (Service bureau)")
	b.WaitText(".msg .mrkdwn", "“File upload needs our IT team's sign-off first.”")
	b.WaitFor("the card drawn", `document.querySelector('.msg .st-sent-back') !== null`)
	b.Screenshot("caisbot-sent-back")

	b.SwitchUser("U0ALICE")
	b.Compose("/cais-next")
	b.WaitText(".msg .mrkdwn", "Sent back by @Carol (Service bureau)")
	b.ClickButton("Self-report: file upload")
	b.WaitText(".msg .mrkdwn", "Awaits approval.")

	b.SwitchUser("U0CAROL")
	b.Compose("/cais-next")
	b.WaitText(".msg .mrkdwn", "Awaits approval.")
	b.ClickButton("Approve")
	b.WaitText(".msg .blk-header", "Step 6: Certify for Full CAIS Production (self-reporting firms)")
	b.WaitText(".msg .mrkdwn", "@Carol (Service bureau) approved Step 4")
	b.Compose("/cais-next status")
	b.WaitText(".msg .mrkdwn", "approved by @Carol (Service bureau) on")
	b.Screenshot("caisbot-approved")
}
