package playground

import (
	"testing"
)

// TestBrowserStateIconsNeedNoEmojiFont: the status card's state icons are
// drawn by the page, each named by its word, so a browser without an emoji
// font (stock Debian Chromium) shows no empty boxes. The screenshot goes to
// PLAYGROUND_SCREENSHOT_DIR as caisbot-status.png.
func TestBrowserStateIconsNeedNoEmojiFont(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	b := NewBrowser(t, realBot(t))
	b.SwitchUser("U0ALICE")
	b.Compose("/cais-next")
	b.WaitText(".msg .btn.primary", "Yes")
	b.ClickButton("Yes")
	b.WaitText(".msg .blk-header", "Step 2: Register for CAT CAIS")
	b.Compose("/cais-next status")
	b.WaitText(".msg .blk-header", "CAIS onboarding status")
	var got struct {
		Done, Next, Open int
		Labels           []string
		Emoji            bool
	}
	b.Eval(`(() => {
		const card = [...document.querySelectorAll('.msg')].pop();
		const n = (s) => card.querySelectorAll(s).length;
		return {
			Done: n('.st-done'), Next: n('.st-next'), Open: n('.st-open'),
			Labels: [...new Set([...card.querySelectorAll('.st')].map((e) => e.getAttribute('aria-label')))],
			Emoji: /[\u2705\u27A1\u2B1C\u2796]/u.test(card.textContent),
		};
	})()`, &got)
	if got.Done != 1 || got.Next != 1 || got.Open < 4 || got.Emoji {
		t.Errorf("status icons: %+v; want 1 done, 1 next, the rest open, and no emoji left as text", got)
	}
	if len(got.Labels) != 3 || got.Labels[0] != "done" || got.Labels[1] != "next" || got.Labels[2] != "open" {
		t.Errorf("icon words %q, want done, next, open", got.Labels)
	}
	b.Screenshot("caisbot-status")
}
