package playground

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/bot/slackbot"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
	"github.com/slack-go/slack"
)

// realBot serves the playground in front of the real caisbot handler,
// wired as cmd/caisbot wires it, over Redis.
func realBot(t *testing.T) string {
	t.Helper()
	return realBotWith(t, nil)
}

// realBotWith is realBot with principals (CAIS_PRINCIPALS).
func realBotWith(t *testing.T, principals []string) string {
	t.Helper()
	rdb, prefix := redistest.New(t)
	st := store.New(rdb, prefix)
	loc, _ := time.LoadLocation("America/New_York")
	svc := &dialogs.Service{Flow: &dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{"U0ALICE"}, Principals: principals, Loc: loc}, Store: st, Now: time.Now}
	srv := httptest.NewUnstartedServer(nil)
	var h *slackbot.Handler
	p, err := New(Config{SigningSecret: testSecret, BaseURL: "http://" + srv.Listener.Addr().String(),
		Events: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) })})
	if err != nil {
		t.Fatal(err)
	}
	once, err := adapter.NewOnce(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err = slackbot.New(slackbot.Config{SigningSecret: testSecret, Scope: "workspace", Service: svc, Viewers: st, Once: once,
		API: slack.New(Token, slack.OptionAPIURL(p.APIURL())), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /slack/events", h)
	mux.Handle("/", p.Handler())
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(func() { p.Close(); srv.Close(); h.Wait() })
	return srv.URL + "/"
}

// TestBrowserRealBotJourney walks the real bot in Chromium from
// /cais-next to a confirmed Step 2, with a second user's stale card, the
// agents form and the Home tab. Screenshots go to PLAYGROUND_SCREENSHOT_DIR
// (the README's come from here).
func TestBrowserRealBotJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	b := NewBrowser(t, realBot(t))
	b.SwitchUser("U0ALICE")
	b.Compose("/cais-next")
	b.WaitText(".msg .blk-header", "Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS")
	b.WaitText(".msg .btn.primary", "Yes")
	b.SwitchUser("U0BOB")
	b.Compose("/cais-next")
	b.WaitText(".msg .blk-header", "Step 1: Determine") // Bob's own card: Alice's is only visible to her

	b.SwitchUser("U0ALICE")
	b.ClickButton("Yes")
	b.WaitText(".msg .blk-header", "Step 2: Register for CAT CAIS")
	b.WaitText(".msg .mrkdwn", "confirmed Step 1")
	b.Screenshot("caisbot-step2")

	b.SwitchUser("U0BOB")
	b.ClickButton("Yes")
	b.WaitText(".msg", "already confirmed by")
	b.Screenshot("caisbot-stale")

	b.SwitchUser("U0ALICE")
	b.ClickButton("Registration submitted")
	b.WaitText(".msg .mrkdwn", "confirmed Step 2")
	b.WaitText(".msg .blk-header", "Step 3: Grant CAT CAIS Test Environment entitlement")
	b.ClickButton("Test entitlements granted")
	b.WaitText(".msg .blk-header", "Step 4: Determine how the firm will submit data to CAT CAIS")
	b.ClickButton("CAT Reporting Agent")
	b.WaitText("#modal .modal-title", "Reporting agents")
	b.Type("#modal textarea", "Example Clearing LLC\nNorthwind Service Bureau")
	b.Screenshot("caisbot-agents-form")
	b.ClickButton("Save")
	b.WaitText(".msg .blk-header", "Step 5: Establish a CAT CAIS Reporting Relationship")
	b.WaitText(".msg .mrkdwn", "Northwind Service Bureau")
	b.Screenshot("caisbot-step5")

	b.OpenHome()
	b.WaitText("#home .blk-header", "CAIS onboarding")
	b.WaitText("#home .mrkdwn", "Step 4: Determine how the firm will submit data to CAT CAIS")
	b.Screenshot("caisbot-home")

	// Step 6(A) in its parts: each agent, the request, FINRA CAT's wait.
	b.OpenChannel()
	b.ClickButton("Test relationships saved")
	b.WaitText(".msg .mrkdwn", "Agent 1 of 2: has Example Clearing LLC certified for CAIS production?")
	b.Screenshot("caisbot-6a-agent")
	b.ClickButton("Agent certified")
	b.WaitText(".msg .mrkdwn", "Agent 2 of 2: has Northwind Service Bureau certified for CAIS production?")
	b.ClickButton("Agent certified")
	b.WaitText(".msg .blk-header", "request certification for your firm")
	b.ClickButton("Certification requested")
	b.WaitText("#modal .modal-title", "Certification requested")
	b.Type("#modal #in-f_ref", "HD-20261207")
	b.ClickButton("Save")
	b.WaitFor("the modal to close", `document.getElementById('modal-root').hidden`)
	b.WaitText(".msg .blk-header", "FINRA CAT certifies your firm")
	b.WaitText(".msg .mrkdwn", "Waiting on FINRA CAT since")
	b.WaitText(".msg .mrkdwn", "HD-20261207")
	b.Eval(`(() => { const m = [...document.querySelectorAll('.msg')].filter(e => e.textContent.includes('Waiting on FINRA CAT since')).pop(); m.scrollIntoView({block: 'start'}); return true; })()`, nil)
	b.Screenshot("caisbot-6a-finra")
	b.ClickButton("FINRA CAT certified the firm")
	b.WaitText(".msg .blk-header", "Step 6(B): Grant CAT CAIS Production Environment entitlement")
	b.ClickButton("Production entitlements granted")
	b.ClickButton("Production relationships saved")
	b.WaitText(".msg .blk-header", "CAIS onboarding complete")
	b.WaitText(".msg .mrkdwn", "8:00 a.m. ET")
	b.Screenshot("caisbot-complete")
}

// TestBrowserRealBotSelfReportingJourney walks the self-reporting path
// to its end through the page, against the real bot.
func TestBrowserRealBotSelfReportingJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	b := NewBrowser(t, realBot(t))
	b.SwitchUser("U0ALICE")
	b.Compose("/cais-next")
	for _, step := range []struct{ click, next string }{
		{"Yes", "Step 2: Register for CAT CAIS"},
		{"Registration submitted", "Step 3: Grant CAT CAIS Test Environment entitlement"},
		{"Test entitlements granted", "Step 4: Determine how the firm will submit data to CAT CAIS"},
		{"Self-report: file upload", "Step 6: Certify for Full CAIS Production (self-reporting firms)"},
		{"Certified for production", "CAIS onboarding complete"},
	} {
		b.ClickButton(step.click)
		b.WaitText(".msg .blk-header", step.next)
	}
	b.WaitText(".msg .mrkdwn", "8:00 a.m. ET")
	b.Compose("/cais-next status")
	b.WaitText(".msg .mrkdwn", "not reached on the answers recorded")
}
