package slackbot

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"
)

// submitAgents answers the agents modal opened by the last views.open.
func (r *rig) submitAgents(user, names string) (status int, body string) {
	r.t.Helper()
	opens := r.slack.Wait(r.t, "views.open", 1)
	view, _ := opens[len(opens)-1].JSON["view"].(map[string]any)
	meta, _ := view["private_metadata"].(string)
	p := map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user}, "team": map[string]any{"id": team},
		"view": map[string]any{"id": "V1", "callback_id": view["callback_id"], "private_metadata": meta,
			"state": map[string]any{"values": map[string]any{"agents": map[string]any{"agents": map[string]any{"type": "plain_text_input", "value": names}}}}},
	}
	b, _ := json.Marshal(p)
	resp := r.post(url.Values{"payload": {string(b)}}.Encode(), "application/x-www-form-urlencoded")
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	n, _ := resp.Body.Read(buf)
	sb.Write(buf[:n])
	return resp.StatusCode, sb.String()
}

func (r *rig) audit() int {
	r.t.Helper()
	e, err := r.store.Audit(context.Background(), slackFirm(team), 0, -1)
	if err != nil {
		r.t.Fatal(err)
	}
	return len(e)
}

func TestAgentJourneyEndToEnd(t *testing.T) {
	r := newRig(t)
	card := r.slash("U1", "")
	if got := header(card); got != "Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS" {
		t.Fatalf("first card header %q", got)
	}
	if yes := button(t, card, "Yes"); yes.Style != slack.StylePrimary {
		t.Errorf("Yes button style %q, want primary", yes.Style)
	}
	card = r.click(card, "Yes", "U1")
	card = r.click(card, "Registration submitted", "U2")
	card = r.click(card, "Test entitlements granted", "U1")
	if !strings.HasPrefix(header(card), "Step 4:") {
		t.Fatalf("want Step 4, got %q", header(card))
	}
	// Choosing an agent opens the modal; nothing is recorded yet.
	resp := r.post(r.clickPayload(button(t, card, "CAT Reporting Agent"), "U1", "agent"), "application/x-www-form-urlencoded")
	resp.Body.Close()
	if n := r.audit(); n != 3 {
		t.Fatalf("audit after opening the form: %d entries, want 3", n)
	}
	if st, body := r.submitAgents("U1", ""); st != 200 || !strings.Contains(body, `"response_action":"errors"`) {
		t.Fatalf("empty agents: %d %s, want errors", st, body)
	}
	if st, _ := r.submitAgents("U1", "Acme Clearing <!channel>\nBureau <@U0BOSS>"); st != 200 {
		t.Fatalf("submit status %d", st)
	}
	card = r.responded("agent")
	body := text(card)
	if !strings.HasPrefix(header(card), "Step 5:") || !strings.Contains(body, "Acme Clearing &lt;!channel&gt;") || strings.Contains(body, "<!channel>") || strings.Contains(body, "<@U0BOSS>") {
		t.Fatalf("Step 5 card must name the agents, escaped:\n%s", body)
	}
	for _, p := range r.slack.Calls("chat.postMessage") {
		if strings.Contains(string(p.Body), "<!channel>") || strings.Contains(string(p.Body), "\\u003c!channel") {
			t.Fatalf("public post can ping: %s", p.Body)
		}
	}
	card = r.click(card, "Test relationships saved", "U1")
	if !strings.HasPrefix(header(card), "Step 6(A):") || !strings.Contains(text(card), "Bureau &lt;@U0BOSS&gt;") {
		t.Fatalf("6(A) must name each agent: %s", text(card))
	}
	card = r.click(card, "Agent certified", "U1") // 6(A): each of the two agents,
	card = r.click(card, "Agent certified", "U1")
	card = r.submitForm(card, "Certification requested", map[string]any{ // the request (a modal),
		"f_ref": map[string]any{"f_ref": map[string]any{"type": "plain_text_input", "value": "HD-1"}}})
	if !strings.Contains(text(card), "Waiting on FINRA CAT since") {
		t.Fatalf("FINRA's part of 6(A) must show the wait: %s", text(card))
	}
	card = r.click(card, "FINRA CAT certified the firm", "U1") // FINRA's certification
	card = r.click(card, "Production entitlements granted", "U1")
	card = r.click(card, "Production relationships saved", "U1")
	if header(card) != "CAIS onboarding complete" {
		t.Fatalf("final card %q", header(card))
	}
	if n := r.audit(); n != 11 {
		t.Errorf("audit entries %d, want 11", n)
	}
	posts := r.slack.Wait(t, "chat.postMessage", 11)
	// Public lines are sent after each answer, in the background: find
	// Step 2's wherever it landed.
	step2 := ""
	for _, p := range posts {
		if strings.Contains(p.Param("text"), "*Step 2: Register for CAT CAIS*") {
			step2 = p.Param("text")
		}
	}
	if !strings.Contains(step2, "<@U2> confirmed *Step 2: Register for CAT CAIS*") {
		t.Errorf("public line for Step 2: %q", step2)
	}
	if st := text(r.slash("U3", "status")); strings.Count(st, "✅") != 10 || !strings.Contains(st, "<@U2>") {
		t.Errorf("status after agent journey:\n%s", st)
	}
}

func TestSelfReportingJourney(t *testing.T) {
	r := newRig(t)
	card := r.slash("U1", "")
	for _, label := range []string{"Yes", "Registration submitted", "Test entitlements granted", "Self-report: file upload"} {
		card = r.click(card, label, "U1")
	}
	if h := header(card); h != "Step 6: Certify for Full CAIS Production (self-reporting firms)" {
		t.Fatalf("self-reporters go to Step 6, got %q", h)
	}
	body := text(card)
	for _, want := range []string{"Section 6.1", "February 1, 2022", "July 25, 2022", "May 31, 2024", "passed", "888-696-3348"} {
		if !strings.Contains(body, want) {
			t.Errorf("Step 6 card lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "days left") {
		t.Errorf("past roadmap dates shown as upcoming:\n%s", body)
	}
	card = r.click(card, "Certified for production", "U1")
	if header(card) != "CAIS onboarding complete" {
		t.Fatalf("final card %q", header(card))
	}
}

func TestNoObligationAndNotSure(t *testing.T) {
	r := newRig(t)
	card := r.slash("U1", "")
	help := r.click(card, "Not sure", "U1")
	if !strings.Contains(text(help), "888-696-3348") || !strings.Contains(text(help), "help@finracat.com") {
		t.Errorf("Not sure must give the Helpdesk:\n%s", text(help))
	}
	if n := r.audit(); n != 0 {
		t.Errorf("Not sure wrote %d audit entries", n)
	}
	out := r.click(card, "No", "U1")
	if header(out) != "Step 1 answered: the firm reports no events containing an FDID" || !strings.Contains(text(out), "help@finracat.com") {
		t.Fatalf("no-obligation card:\n%s", text(out))
	}
	again := r.click(out, "Reopen Step 1", "U2")
	if !strings.HasPrefix(header(again), "Step 1:") {
		t.Fatalf("reopen gives %q", header(again))
	}
}

func TestStaleClickTellsWhoConfirmed(t *testing.T) {
	r := newRig(t)
	alice, bob := r.slash("UALICE", ""), r.slash("UBOB", "")
	r.click(alice, "Yes", "UALICE")
	out := text(r.click(bob, "Yes", "UBOB"))
	if !strings.Contains(out, "already confirmed by <@UALICE>") || !strings.Contains(out, "Nothing was changed") {
		t.Fatalf("stale click reply:\n%s", out)
	}
	if n := r.audit(); n != 1 {
		t.Fatalf("audit entries %d after stale click, want 1", n)
	}
}

func TestTwentySimultaneousClicks(t *testing.T) {
	r := newRig(t)
	card := r.slash("U1", "")
	btn := button(t, card, "Yes")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := r.post(r.clickPayload(btn, "U"+string(rune('A'+i)), "race"), "application/x-www-form-urlencoded")
			resp.Body.Close()
		}()
	}
	wg.Wait()
	r.h.Wait()
	if n := r.audit(); n != 1 {
		t.Fatalf("20 clicks wrote %d audit entries, want 1", n)
	}
	if n := len(r.slack.Calls("chat.postMessage")); n != 1 {
		t.Fatalf("20 clicks posted %d public lines, want 1", n)
	}
	if n := len(r.slack.Calls("response_url")); n != 20 {
		t.Fatalf("%d clickers told, want 20", n)
	}
}

func TestRestartKeepsState(t *testing.T) {
	r := newRig(t)
	card := r.slash("U1", "")
	r.click(r.click(card, "Yes", "U1"), "Registration submitted", "U1")
	r.srv.Close()
	r.h.Wait()
	again := newRigOn(t, r.store) // a new process on the same Redis
	if h := header(again.slash("U1", "")); !strings.HasPrefix(h, "Step 3:") {
		t.Fatalf("after restart: %q, want Step 3", h)
	}
}
