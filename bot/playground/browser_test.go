package playground

import (
	"strings"
	"testing"
)

// TestBrowserJourney drives the page in headless Chromium against the demo
// bot of fakebot_test.go: /cais-next, a card with a header and a primary
// button, a click that replaces the card, a confirm dialog, a modal with a
// text input, the stale-card note for another user, the Home tab, and no
// HTML injection from bot text. Screenshots go to PLAYGROUND_SCREENSHOT_DIR.
func TestBrowserJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	rig := newRig(t, demoBot())
	b := NewBrowser(t, rig.srv.URL+"/")

	// As Alice: the first card.
	b.SwitchUser("U0ALICE")
	b.Compose("/cais-next")
	b.WaitText(".msg .blk-header", "Step 1: Obligation")
	b.WaitText(".msg .btn.primary", "Yes")
	b.WaitText(".msg .btn.danger", "Reset")
	b.WaitText(".msg .name", "caisbot")
	checkRendering(t, b)

	// A second card, Bob's, for the stale click later.
	b.SwitchUser("U0BOB")
	b.Compose("/cais-next")
	b.WaitFor("two Step 1 cards", `document.querySelectorAll('.msg .blk-header').length === 2`)

	confirmAndStaleClick(b)
	confirmDialogAndModal(b)

	// The Home tab.
	b.OpenHome()
	b.WaitText("#home .blk-header", "Your CAIS onboarding")
	b.WaitText("#home .mrkdwn", "Next: Step 3")
	b.Screenshot("playground-home")

	// Everything went through signed requests the bot accepted.
	rig.bot.mu.Lock()
	defer rig.bot.mu.Unlock()
	if rig.bot.refused != 0 {
		t.Errorf("the bot refused %d requests", rig.bot.refused)
	}
}

// checkRendering checks the last card: mrkdwn rendered, and nothing from
// the bot's text became HTML.
func checkRendering(t *testing.T, b *Browser) {
	t.Helper()
	var rendered struct {
		Bold, Italic, Code, Link, Broadcast, Escaped string
		Injected, ScriptLinks                        int
	}
	b.Eval(`(() => {
		const card = [...document.querySelectorAll('.msg')].pop();
		const q = (s) => { const e = card.querySelector(s); return e ? e.textContent : ''; };
		return {
			Bold: q('.mrkdwn b'), Italic: q('.mrkdwn i'), Code: q('.mrkdwn code'),
			Link: (card.querySelector('.mrkdwn a[href^="https://www.catnmsplan.com/"]') || {}).textContent || '',
			Broadcast: q('.broadcast'),
			Escaped: q('.blk-section .mrkdwn'),
			Injected: document.querySelectorAll('.messages img:not([src$="caisbot.svg"]), .messages script, .messages [onerror]').length,
			ScriptLinks: document.querySelectorAll('a[href^="javascript"]').length,
		};
	})()`, &rendered)
	if rendered.Bold != "equities" || rendered.Italic != "options" || rendered.Code != "FDID" || rendered.Link != "the CAIS guide" || rendered.Broadcast != "@channel" {
		t.Errorf("mrkdwn rendering: %+v", rendered)
	}
	if rendered.Injected != 0 || rendered.ScriptLinks != 0 {
		t.Errorf("bot text became HTML: %+v", rendered)
	}
	if want := "<img src=x onerror=alert(1)>"; !strings.Contains(rendered.Escaped, want) || !strings.Contains(rendered.Escaped, "• New Order") {
		t.Errorf("escaped text = %q, want it to show %q", rendered.Escaped, want)
	}
}

// confirmAndStaleClick has Alice confirm Step 1 and Bob click his stale
// Step 1 card.
func confirmAndStaleClick(b *Browser) {
	// Alice confirms Step 1: her card is replaced, the progress post appears.
	b.SwitchUser("U0ALICE")
	b.ClickButton("Yes")
	b.WaitText(".msg .blk-header", "Step 2: Register for CAIS")
	b.WaitText(".msg .mrkdwn", "confirmed Step 1")
	b.WaitText(".msg .mention", "@Alice (CCO)")
	b.Screenshot("playground-channel")

	// Bob clicks his stale Step 1 card: only Bob is told.
	b.SwitchUser("U0BOB")
	b.ClickButton("Yes")
	b.WaitText(".msg.ephemeral", "already confirmed")
	b.WaitText(".msg.ephemeral .eph-note", "Only visible to you")
	b.SwitchUser("U0ALICE")
	b.WaitNoText(".msg", "already confirmed")
}

// confirmDialogAndModal walks Step 2's confirm dialog and Step 3's note
// modal.
func confirmDialogAndModal(b *Browser) {
	// Step 2 has a confirm dialog: "Not yet" changes nothing, "Confirm" does.
	b.ClickButton("Confirm registered")
	b.WaitText("#confirm-root .modal-title", "Confirm Step 2?")
	b.ClickButton("Not yet")
	b.WaitFor("the dialog to close", `document.getElementById('confirm-root').hidden`)
	b.ClickButton("Confirm registered")
	b.WaitText("#confirm-root", "Everyone in the channel will see you confirmed it.")
	b.ClickButton("Confirm")
	b.WaitText(".msg .blk-header", "Step 3: Test entitlements")

	// A modal: required field, the bot's errors, then a good submission.
	b.ClickButton("Add a note")
	b.WaitText("#modal .modal-title", "Add a note")
	b.ClickButton("Save")
	b.WaitText("#modal .field-error", "Please fill out this field.")
	b.Type("#modal textarea", "bad")
	b.ClickButton("Save")
	b.WaitText("#modal .field-error", `A note cannot be just "bad".`)
	b.Type("#modal textarea", "Registration form sent on May 1")
	b.Screenshot("playground-modal")
	b.ClickButton("Save")
	b.WaitFor("the modal to close", `document.getElementById('modal-root').hidden`)
	b.WaitText(".msg .mrkdwn", "noted: Registration form sent on May 1")
}
