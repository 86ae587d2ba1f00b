package dialogs

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// testdata/step6a-written-by-main-2026-12-07.json holds two firms' progress
// and audit trails as the build before 6(A) had its parts wrote them
// (commit 1280205, agents "Acme Clearing LLC" and "Bureau Co"): "middle"
// stands on 6(A) with nothing of it confirmed; "done6a" confirmed the old
// single 6(A) click and stands on 6(B).
func loadOld6A(t *testing.T, s *Service, m *memStore, firm string) {
	t.Helper()
	old := readOld6A(t)[firm]
	m.p["F1"], m.entries["F1"] = old.Progress, old.Audit
	if r := command(t, s, "U1", "verify"); !strings.Contains(r.Title, "verified") {
		t.Fatalf("the old trail does not verify: %s", body(r))
	}
}

func TestStep6AOneCardPerAgentThenRequestThenFINRA(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved")
	for i, agent := range []string{"Acme Clearing LLC", "Bureau Co"} {
		text := body(card)
		if !strings.Contains(text, "has **"+agent+"** certified for CAIS production?") || !strings.Contains(text, []string{"Agent 1 of 2", "Agent 2 of 2"}[i]) {
			t.Fatalf("card %d does not ask about %s:\n%s", i, agent, text)
		}
		for _, a := range card.Actions {
			if strings.Contains(a.Label, agent) {
				t.Errorf("the agent's name is in a button label: %q", a.Label)
			}
		}
		if primary(card) != "Agent certified" {
			t.Fatalf("primary button %q", primary(card))
		}
		before := card
		card = press(t, s, card, "Agent certified", "U1", "")
		if !strings.Contains(card.Public, "**"+agent+"** is certified for CAIS production") {
			t.Errorf("public line %q does not name %s", card.Public, agent)
		}
		if i == 0 { // the first agent's card is stale now
			again := press(t, s, before, "Agent certified", "U2", "")
			if again.Public != "" || len(stored(m).Path) != 6 {
				t.Fatalf("a second click on agent 1's card changed something: %q, path %d", again.Public, len(stored(m).Path))
			}
		}
	}
	if !strings.HasSuffix(card.Title, "request certification for your firm") || primary(card) != "Certification requested" {
		t.Fatalf("after the agents: %q, primary %q", card.Title, primary(card))
	}
	form := press(t, s, card, "Certification requested", "U1", "")
	if form.Form == nil || !form.Form.Multi() {
		t.Fatalf("Certification requested must ask for the Helpdesk reference first, got %q", form.Title)
	}
	card = press(t, s, card, "Certification requested", "U1", "ref=HD-4711")
	if !strings.HasSuffix(card.Title, "FINRA CAT certifies your firm") || primary(card) != "FINRA CAT certified the firm" {
		t.Fatalf("after the request: %q, primary %q", card.Title, primary(card))
	}
	if text := body(card); !strings.Contains(text, "Waiting on FINRA CAT since") || !strings.Contains(text, "HD-4711") {
		t.Fatalf("FINRA's part must wait on FINRA CAT with the reference:\n%s", text)
	}
	card = press(t, s, card, "FINRA CAT certified the firm", "U1", "")
	if !strings.HasPrefix(card.Title, "Step 6(B)") {
		t.Fatalf("6(B) must follow FINRA's certification, got %q", card.Title)
	}
	es := m.entries["F1"]
	var details []string
	for _, e := range es[len(es)-4:] {
		details = append(details, e.Detail)
	}
	if got := strings.Join(details, " | "); !strings.HasPrefix(got, "Agent certified: Acme Clearing LLC | Agent certified: Bureau Co | Certification requested; waiting on FINRA CAT (reference: HD-4711) | FINRA CAT certified the firm; ended the wait") {
		t.Fatalf("audit entries: %s", got)
	}
}

// Undo walks back one agent at a time.
func TestStep6AUndoReopensTheLastAgent(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved", "Agent certified", "Agent certified")
	if !strings.HasSuffix(card.Title, "request certification for your firm") {
		t.Fatalf("card %q", card.Title)
	}
	r := command(t, s, admin, "undo")
	if !strings.Contains(body(r), "has **Bureau Co** certified") || stored(m).Current != "certify_agent_request" {
		t.Fatalf("undo should ask about Bureau Co again:\n%s", body(r))
	}
}

// A firm that stood on 6(A) when this build arrived continues on its
// parts, losing nothing.
func TestStep6AOldProgressInTheMiddle(t *testing.T) {
	s, m := newService(t)
	loadOld6A(t, s, m, "middle")
	card := command(t, s, "U1", "")
	if !strings.Contains(body(card), "has **Acme Clearing LLC** certified") {
		t.Fatalf("the old firm's 6(A) card:\n%s", body(card))
	}
	card = walk(t, s, "Agent certified", "Agent certified", "Certification requested|ref=", "FINRA CAT certified the firm")
	if !strings.HasPrefix(card.Title, "Step 6(B)") {
		t.Fatalf("got %q", card.Title)
	}
	if r := command(t, s, "U1", "verify"); !strings.Contains(r.Title, "verified") {
		t.Fatalf("verify after continuing: %s", body(r))
	}
}

// A firm that confirmed the old single 6(A) keeps it as done, shown with
// a short note, and its parts count as done.
func TestStep6AOldSingleConfirmationStands(t *testing.T) {
	s, m := newService(t)
	loadOld6A(t, s, m, "done6a")
	if card := command(t, s, "U1", ""); !strings.HasPrefix(card.Title, "Step 6(B)") {
		t.Fatalf("the firm moved off 6(B): %q", card.Title)
	}
	st := body(command(t, s, "U1", "status"))
	for _, want := range []string{
		"✅ **Step 6(A): Certify for Full CAIS Production — your CAT Reporting Agents certified** — Agents certified, certification requested, confirmed by @{U0ALICE}",
		"✅ **Step 6(A): Certify for Full CAIS Production — request certification for your firm** — Agents certified, certification requested, confirmed by @{U0ALICE}",
		"✅ **Step 6(A): Certify for Full CAIS Production — FINRA CAT certifies your firm** — Agents certified, certification requested, confirmed by @{U0ALICE}",
		"(confirmed as one step, before 6(A) had its three parts)",
	} {
		if !strings.Contains(st, want) {
			t.Errorf("status lacks %q:\n%s", want, st)
		}
	}
	f := s.Flow
	p := stored(m)
	for _, d := range f.Deadlines(p) {
		if d.ID == "cert_request" && !f.Finished(p, d) {
			t.Error("the certification-request deadline still counts as open for a firm past 6(A)")
		}
	}
}

func primary(r Reply) string {
	for _, a := range r.Actions {
		if a.Style == Primary {
			return a.Label
		}
	}
	return ""
}

// A target set for 6(A) is about all of its parts: it is reminded until
// FINRA CAT has certified the firm.
func TestStep6ATargetCoversItsParts(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC", "Test relationships saved")
	if r := command(t, s, admin, "deadline 6A 2027-06-05"); r.Title != "Target date set" {
		t.Fatalf("deadline: %s", body(r))
	}
	target := func() Deadline {
		for _, d := range s.Flow.Deadlines(stored(m)) {
			if d.ID == "target:certify_agent_request" {
				return d
			}
		}
		t.Fatal("no target")
		return Deadline{}
	}
	for _, label := range []string{"Agent certified", "Certification requested|ref="} {
		walkFrom(t, s, label)
		if s.Flow.Finished(stored(m), target()) {
			t.Fatalf("after %q the 6(A) target counts as finished", label)
		}
	}
	walkFrom(t, s, "FINRA CAT certified the firm")
	if !s.Flow.Finished(stored(m), target()) {
		t.Fatal("after FINRA CAT certified the firm the 6(A) target is still open")
	}
}

// walkFrom presses label on the firm's current card.
func walkFrom(t *testing.T, s *Service, label string) Reply {
	t.Helper()
	label, input, _ := strings.Cut(label, "|")
	return press(t, s, command(t, s, "U1", ""), label, "U1", input)
}

// oldFirm is one firm as the previous build stored it.
type oldFirm struct {
	Progress Progress
	Audit    []Entry
}

// readOld6A reads testdata/step6a-written-by-main-2026-12-07.json.
func readOld6A(t *testing.T) map[string]oldFirm {
	t.Helper()
	b, err := os.ReadFile("testdata/step6a-written-by-main-2026-12-07.json")
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]oldFirm
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	return all
}
