package playground

// Helpers that drive the playground page in headless Chromium with chromedp.
// They live in a _test.go file so that only tests link chromedp. They are
// exported so that an end-to-end test with the real bot can use them from an
// external test package in this directory (package playground_test):
//
//	b := playground.NewBrowser(t, baseURL+"/")
//	b.Compose("/cais-next")
//	b.WaitText(".msg .blk-header", "Step 1")
//	b.ClickButton("Yes")
//	b.Screenshot("journey")

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is the Chromium (or Chrome) the browser tests use: the
// CHROMIUM environment variable, /usr/bin/chromium, or chromium,
// chromium-browser or google-chrome on PATH; "" if there is none. Nothing is
// ever downloaded.
func ChromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// ChromiumFlags are the command-line flags the browser tests start Chromium
// with, besides chromedp's defaults and a fresh --user-data-dir.
var ChromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-dev-shm-usage", "--window-size=1280,860",
}

// Browser is a headless Chromium tab on the playground page.
type Browser struct {
	t   testing.TB
	ctx context.Context

	mu       sync.Mutex
	jsErrors []string
}

// NewBrowser starts headless Chromium with a fresh profile and opens url. It
// skips the test when no Chromium is installed. The browser stops when the
// test ends; JavaScript exceptions and console errors on the page fail it.
func NewBrowser(t testing.TB, url string) *Browser {
	t.Helper()
	exe := ChromiumPath()
	if exe == "" {
		t.Skip("browser test skipped: no Chromium found (looked for $CHROMIUM, /usr/bin/chromium, and chromium, chromium-browser, google-chrome on PATH); install it with: apt-get install -y chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir()))
	for _, f := range ChromiumFlags {
		name, value, hasValue := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if hasValue {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &Browser{t: t, ctx: ctx}
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.jsErrors {
			t.Errorf("JavaScript error on the page: %s", e)
		}
	})
	// Start the browser without a timeout: a timeout would stop it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium %s: %v", exe, err)
	}
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	console := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			b.recordJSError((&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		}
	}()
	go func() {
		for ev, err := range console {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				b.recordJSError("console.error: " + strings.Join(parts, " "))
			}
		}
	}()
	b.Do(chromedp.Navigate(url))
	b.WaitVisible("#composer")
	return b
}

func (b *Browser) recordJSError(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.jsErrors = append(b.jsErrors, s)
}

// Context is the chromedp context of the tab, for actions the helpers lack.
func (b *Browser) Context() context.Context { return b.ctx }

// Do runs chromedp actions with a 30 s limit, failing the test on error.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// Eval evaluates a JavaScript expression and decodes its value into out.
func (b *Browser) Eval(expr string, out any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
	if err != nil {
		b.t.Fatalf("browser: evaluating %s: %v", expr, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			b.t.Fatalf("browser: decoding %s: %v", raw, err)
		}
	}
}

// WaitVisible waits until an element matching the CSS selector is visible.
func (b *Browser) WaitVisible(css string) {
	b.t.Helper()
	b.Do(chromedp.WaitVisible(chromedp.CSS(css)))
}

// WaitFor waits (15 s at most) until the JavaScript expression is truthy.
func (b *Browser) WaitFor(what, expr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.t.Fatalf("browser: waiting for %s: %v\npage text:\n%s", what, err, b.pageText())
	}
}

func (b *Browser) pageText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	return s
}

// WaitText waits until an element matching the CSS selector contains text.
func (b *Browser) WaitText(css, text string) {
	b.t.Helper()
	b.WaitFor(fmt.Sprintf("%q in %s", text, css), fmt.Sprintf(
		`[...document.querySelectorAll(%s)].some(e => e.getClientRects().length > 0 && e.textContent.includes(%s))`, jsString(css), jsString(text)))
}

// WaitNoText waits until no visible element matching the selector contains text.
func (b *Browser) WaitNoText(css, text string) {
	b.t.Helper()
	b.WaitFor(fmt.Sprintf("no %q in %s", text, css), fmt.Sprintf(
		`![...document.querySelectorAll(%s)].some(e => e.getClientRects().length > 0 && e.textContent.includes(%s))`, jsString(css), jsString(text)))
}

// Compose types text in the composer and presses Enter.
func (b *Browser) Compose(text string) {
	b.t.Helper()
	b.Do(chromedp.Click(chromedp.CSS("#composer")), chromedp.SendKeys(chromedp.CSS("#composer"), text), pressEnter)
}

// pressEnter is the Enter key without the char event SendKeys adds, which
// would put a line break in the composer after the page has emptied it.
var pressEnter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
		}); err != nil {
			return err
		}
	}
	return nil
})

// ClickButton clicks, with the mouse, the last visible Block Kit button
// labelled label (in the channel, the open modal, the Home tab or a confirm
// dialog: the topmost layer first).
func (b *Browser) ClickButton(label string) {
	b.t.Helper()
	// The page re-renders messages as they arrive, so the button found may
	// be replaced before the mouse reaches it: find it again and retry.
	for attempt := 1; ; attempt++ {
		b.WaitFor("a button "+jsString(label), fmt.Sprintf(`(() => {
		document.querySelectorAll('[data-pg-target]').forEach(e => e.removeAttribute('data-pg-target'));
		const layers = ['#confirm-root', '#modal-root', '#home-view', '#channel-view'];
		for (const l of layers) {
			const root = document.querySelector(l);
			if (!root || root.hidden) continue;
			const btns = [...root.querySelectorAll('button')].filter(e => e.getClientRects().length > 0 && !e.disabled && e.textContent.trim() === %s);
			if (btns.length) { btns[btns.length - 1].setAttribute('data-pg-target', '1'); return true; }
		}
		return false;
	})()`, jsString(label)))
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS(`[data-pg-target="1"]`), chromedp.NodeVisible))
		cancel()
		if err == nil {
			return
		}
		if attempt == 3 {
			b.t.Fatalf("browser: clicking %q: %v\npage text:\n%s", label, err, b.pageText())
		}
	}
}

// SwitchUser acts as another configured user.
func (b *Browser) SwitchUser(userID string) {
	b.t.Helper()
	// One script, so a re-rendered control cannot lose the value between
	// setting it and announcing the change.
	b.Eval(fmt.Sprintf(`(() => { const e = document.getElementById('user-switch'); e.value = %s; e.dispatchEvent(new Event('change')); return true; })()`, jsString(userID)), nil)
}

// OpenHome opens the app's Home tab from the sidebar.
func (b *Browser) OpenHome() {
	b.t.Helper()
	b.Do(chromedp.Click(chromedp.CSS("#nav-home")))
}

// OpenChannel goes back to the channel from the sidebar.
func (b *Browser) OpenChannel() {
	b.t.Helper()
	b.Do(chromedp.Click(chromedp.CSS("#nav-channel")))
}

// Type replaces the value of the input matching the selector by typing text.
func (b *Browser) Type(css, text string) {
	b.t.Helper()
	// chromedp.SetValue cannot set "" (the empty argument is left out), so
	// clear the field with a script.
	b.Eval(fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, jsString(css)), nil)
	b.Do(chromedp.SendKeys(chromedp.CSS(css), text))
}

// Screenshot saves a PNG of the page as <name>.png in the directory named by
// PLAYGROUND_SCREENSHOT_DIR, when it is set.
func (b *Browser) Screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("PLAYGROUND_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
