package teams

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestAgentJourneyEndToEnd(t *testing.T) {
	r := newRig(t)
	u1, u2 := person("Uma One"), person("Ulf Two")
	card := r.say(u1, "next")
	if got := title(card.Card); got != "Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS" {
		t.Fatalf("first card title %q", got)
	}
	if yes := find(t, card.Card, "Yes"); yes.Style != stylePositive {
		t.Errorf("Yes style %q, want positive", yes.Style)
	}
	card = r.click(card, "Yes", u1)
	card = r.click(card, "Registration submitted", u2)
	card = r.click(card, "Test entitlements granted", u1)
	if !strings.HasPrefix(title(card.Card), "Step 4:") {
		t.Fatalf("want Step 4, got %q", title(card.Card))
	}
	// Choosing an agent turns the card into the form; nothing recorded yet.
	form := r.click(card, "CAT Reporting Agent", u1)
	if form.ID != card.ID || !hasInput(form.Card) {
		t.Fatalf("the form must replace the card in place: %s", cardString(form.Card))
	}
	if n := r.audit(); n != 3 {
		t.Fatalf("audit after opening the form: %d, want 3", n)
	}
	if back := r.click(form, "Cancel", u1); back.ID != card.ID || !strings.HasPrefix(title(back.Card), "Step 4:") {
		t.Fatalf("a cancelled form must give the step back in place: %q", title(back.Card))
	}
	form = r.click(card, "CAT Reporting Agent", u1)
	again := r.form(form, "", u1)
	if !hasInput(again.Card) || !strings.Contains(cardString(again.Card), "at least one") {
		t.Fatalf("empty agents must keep the form open with the problem:\n%s", cardString(again.Card))
	}
	card = r.form(again, "Acme Clearing <at>Boss</at>\nBureau [x](https://evil.example)", u1)
	body := cardString(card.Card)
	if !strings.HasPrefix(title(card.Card), "Step 5:") || !strings.Contains(body, "Acme Clearing <at>Boss</at>") {
		t.Fatalf("Step 5 card must name the agents:\n%s", body)
	}
	assertInert(t, card.Card)
	for _, p := range r.publicLines() {
		if strings.Contains(p.Activity.Text, "<at>Boss") || strings.Contains(p.Activity.Text, "](https://evil") {
			t.Fatalf("public line can ping or link: %s", p.Activity.Text)
		}
	}
	card = r.click(card, "Test relationships saved", u1)
	card = r.click(card, "Agent certified", u1) // 6(A): each of the two agents,
	card = r.click(card, "Agent certified", u1)
	card = r.submitFields(r.click(card, "Certification requested", u1), map[string]string{"ref": "HD-1"}, u1) // the request,
	if !strings.Contains(cardString(card.Card), "Waiting on FINRA CAT since") {
		t.Fatalf("FINRA's part of 6(A) must show the wait:\n%s", cardString(card.Card))
	}
	card = r.click(card, "FINRA CAT certified the firm", u1) // FINRA's certification
	card = r.click(card, "Production entitlements granted", u1)
	card = r.click(card, "Production relationships saved", u1)
	if title(card.Card) != "CAIS onboarding complete" {
		t.Fatalf("final card %q", title(card.Card))
	}
	for _, obligation := range []string{"8:00 a.m. ET", "Disclosure Form", "entitlement certification", "5%", "in writing"} {
		if !strings.Contains(cardString(card.Card), obligation) {
			t.Errorf("Teams' complete card lacks the ongoing obligation %q", obligation)
		}
	}
	if n := r.audit(); n != 11 {
		t.Errorf("audit entries %d, want 11", n)
	}
	lines := r.publicLines()
	if len(lines) != 11 {
		t.Fatalf("public lines %d, want 11", len(lines))
	}
	if got := lines[1].Activity; !strings.Contains(got.Text, "<at>Ulf Two</at> confirmed **Step 2: Register for CAT CAIS**") ||
		len(got.Entities) != 1 || got.Entities[0].Mentioned.ID != u2.ID {
		t.Errorf("public line for Step 2: %q %+v", got.Text, got.Entities)
	}
	st := cardString(r.say(person("Ida Three"), "status").Card)
	if strings.Count(st, "✅") != 10 || !strings.Contains(st, "Ulf Two") {
		t.Errorf("status after the agent journey names who confirmed:\n%s", st)
	}
}

func hasInput(c Card) bool {
	for _, e := range c.Body {
		if e.Type == inputText {
			return true
		}
	}
	return false
}

// assertInert checks that no text in a card can form a tag or a link.
func assertInert(t *testing.T, c Card) {
	t.Helper()
	for _, e := range c.Body {
		if strings.Contains(e.Text, "<at>") || strings.Contains(e.Text, "](https://evil") {
			t.Fatalf("card text can mention or link: %q", e.Text)
		}
	}
}

func TestSelfReportingJourney(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	card := r.say(u, "")
	for _, label := range []string{"Yes", "Registration submitted", "Test entitlements granted", "Self-report: file upload"} {
		card = r.click(card, label, u)
	}
	if h := title(card.Card); h != "Step 6: Certify for Full CAIS Production (self-reporting firms)" {
		t.Fatalf("self-reporters go to Step 6, got %q", h)
	}
	body := cardString(card.Card)
	for _, want := range []string{"Section 6.1", "February 1, 2022", "May 31, 2024", "passed", "888-696-3348"} {
		if !strings.Contains(body, want) {
			t.Errorf("Step 6 card lacks %q:\n%s", want, body)
		}
	}
	card = r.click(card, "Certified for production", u)
	if title(card.Card) != "CAIS onboarding complete" {
		t.Fatalf("final card %q", title(card.Card))
	}
	if n := r.audit(); n != 5 {
		t.Errorf("audit entries %d, want 5", n)
	}
}

func TestPersonalChat(t *testing.T) {
	r := newRig(t)
	r.conv = "a:1personal-chat-id"
	u := person("Uma One")
	card := r.say(u, "caisbot status")
	if title(card.Card) != "CAIS onboarding status" {
		t.Fatalf("a leading bot name is not part of the command: %q", title(card.Card))
	}
	if h := title(r.say(u, "help").Card); !strings.HasPrefix(h, "caisbot") {
		t.Fatalf("help: %q", h)
	}
	// Here commands are typed alone, so help shows them alone.
	if body := cardString(r.say(u, "frobnicate").Card); !strings.Contains(body, "Unknown command") || !strings.Contains(body, "**status**") || strings.Contains(body, "@caisbot") {
		t.Fatalf("unknown command must show help as commands are typed here:\n%s", body)
	}
	// In a channel, after an @mention.
	r.conv = channel
	if body := cardString(r.say(u, "frobnicate").Card); !strings.Contains(body, "**@caisbot status**") {
		t.Fatalf("help in a channel:\n%s", body)
	}
}

func TestStaleClickTellsWhoConfirmed(t *testing.T) {
	r := newRig(t)
	alice, bob := person("Alice Able"), person("Bob Baker")
	aliceCard, bobCard := r.say(alice, ""), r.say(bob, "")
	r.click(aliceCard, "Yes", alice)
	out := cardString(r.click(bobCard, "Yes", bob).Card)
	if !strings.Contains(out, "already confirmed by Alice Able") || !strings.Contains(out, "Nothing was changed") {
		t.Fatalf("stale click reply:\n%s", out)
	}
	if n := r.audit(); n != 1 {
		t.Fatalf("audit entries %d after a stale click, want 1", n)
	}
}

func TestTwentySimultaneousClicks(t *testing.T) {
	r := newRig(t)
	card := r.say(person("Uma One"), "")
	data := find(t, card.Card, "Yes").Data
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := r.activity(person("Clicker "+string(rune('A'+i))), typeMessage)
			a.ReplyToID = card.ID
			a.Value = mustJSON(data)
			if st := r.deliver(a, "Bearer "+channelToken(t, testApp, a.ServiceURL)); st != http.StatusOK {
				t.Errorf("click %d: status %d", i, st)
			}
		}()
	}
	wg.Wait()
	r.h.Wait()
	if n := r.audit(); n != 1 {
		t.Fatalf("20 clicks wrote %d audit entries, want 1", n)
	}
	if n := len(r.publicLines()); n != 1 {
		t.Fatalf("20 clicks posted %d public lines, want 1", n)
	}
	if n := len(r.bf.Calls(http.MethodPut, "/v3/")); n != 20 {
		t.Fatalf("%d card updates, want one per clicker", n)
	}
}

func TestResetIsTwoStep(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	r.click(r.say(u, ""), "Yes", u)
	prompt := r.say(admin, "reset")
	reset := find(t, prompt.Card, "Reset all progress")
	if reset.Type != actionShowCard || reset.Style != styleDanger || reset.Card == nil {
		t.Fatalf("reset must open a confirmation card: %+v", reset)
	}
	kept := r.click(prompt, "Keep progress", admin)
	if title(kept.Card) != "Reset cancelled" || r.audit() != 1 {
		t.Fatalf("cancel: %q, audit %d", title(kept.Card), r.audit())
	}
	done := r.click(r.say(admin, "reset"), "Reset", admin)
	if !strings.HasPrefix(title(done.Card), "Step 1:") || r.audit() != 2 {
		t.Fatalf("reset: %q, audit %d", title(done.Card), r.audit())
	}
}

func TestNotSureRepliesWithoutChange(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	card := r.say(u, "")
	help := r.click(card, "Not sure", u)
	if help.ID == card.ID || !strings.Contains(cardString(help.Card), "help@finracat.com") {
		t.Fatalf("Not sure must answer in a new message with the Helpdesk:\n%s", cardString(help.Card))
	}
	if n := r.audit(); n != 0 {
		t.Errorf("Not sure wrote %d audit entries", n)
	}
}

func TestChannelScopeFirm(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Scope = "channel" })
	u := person("Uma One")
	r.click(r.say(u, ""), "Yes", u)
	if n := r.audit(); n != 1 {
		t.Fatalf("channel firm %s has %d entries, want 1", r.firm(), n)
	}
}

// Teams redelivers an activity it saw no answer to; the second delivery
// meets the version check.
func TestDuplicateDeliveryChangesStateOnce(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	card := r.say(u, "")
	a := r.activity(u, typeMessage)
	a.ReplyToID, a.Value = card.ID, mustJSON(find(t, card.Card, "Yes").Data)
	r.post(a)
	r.post(a)
	if r.audit() != 1 || len(r.publicLines()) != 1 {
		t.Fatalf("a click delivered twice: audit %d, public lines %d", r.audit(), len(r.publicLines()))
	}
}

func TestOverlongFormInputKeepsTheForm(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	card := r.say(u, "")
	for _, label := range []string{"Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent"} {
		card = r.click(card, label, u)
	}
	out := r.form(card, strings.Repeat("Acme ", 400), u)
	if !hasInput(out.Card) || !strings.Contains(cardString(out.Card), "At most 1500") || r.audit() != 3 {
		t.Fatalf("over-long input: audit %d\n%s", r.audit(), cardString(out.Card))
	}
}
