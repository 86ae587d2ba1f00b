package dialogs

import (
	"regexp"
	"strings"
	"testing"
)

// Seed fidelity: the cards say what the FINRA CAT small-firm roadmap
// (shared/seeds/small-firm-roadmap-cais.txt) says.

func newFlow() *Flow { return &Flow{Roadmap: Default(), Admins: []string{admin}, Loc: nyc} }

// cardOf draws the card of step id as the firm would see it at t0
// (2026-11-24), with no progress beyond being on that step.
func cardOf(t *testing.T, f *Flow, id string) Reply {
	t.Helper()
	if _, ok := f.Roadmap.Step(id); !ok {
		t.Fatalf("roadmap has no step %q", id)
	}
	return f.Card(Progress{Current: id}, t0)
}

// allText is everything a user can read on a reply.
func allText(r Reply) string {
	var b strings.Builder
	b.WriteString(body(r))
	b.WriteString(r.Public + "\n" + r.FormError + "\n")
	for _, a := range r.Actions {
		b.WriteString(a.Label + "\n")
	}
	return b.String()
}

var seedSteps = []struct{ id, heading string }{
	{"obligation", "Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS"},
	{"register", "Step 2: Register for CAT CAIS"},
	{"test_entitlements", "Step 3: Grant CAT CAIS Test Environment entitlement to personnel within the firm"},
	{"method", "Step 4: Determine how the firm will submit data to CAT CAIS"},
	{"relationship_test", "Step 5: Establish a CAT CAIS Reporting Relationship with your CAT Reporting Agent in the Test Environment"},
	{"certify_self", "Step 6: Certify for Full CAIS Production (self-reporting firms)"},
	{"certify_agent_request", "Step 6(A): Certify for Full CAIS Production — your CAT Reporting Agents certified"},
	{"certify_agent_requested", "Step 6(A): Certify for Full CAIS Production — request certification for your firm"},
	{"certify_agent_finra", "Step 6(A): Certify for Full CAIS Production — FINRA CAT certifies your firm"},
	{"prod_entitlements", "Step 6(B): Grant CAT CAIS Production Environment entitlement to personnel within the firm"},
	{"relationship_prod", "Step 6(C): Establish a CAT CAIS Reporting Relationship with your CAT Reporting Agent(s) in the Production Environment"},
}

func TestSeedStepsAndTitles(t *testing.T) {
	f := newFlow()
	if got, want := len(f.Roadmap.Steps), len(seedSteps); got != want {
		t.Errorf("roadmap has %d steps, seed has %d", got, want)
	}
	for _, s := range seedSteps {
		if got := cardOf(t, f, s.id).Title; got != s.heading {
			t.Errorf("%s: card title %q, want %q", s.id, got, s.heading)
		}
	}
}

var stepMention = regexp.MustCompile(`Step \d`)

func TestCardsOpenWithTheirStep(t *testing.T) {
	f := newFlow()
	for _, s := range f.Roadmap.all() {
		r := cardOf(t, f, s.ID)
		text := body(r)
		if s.IsOutcome() {
			if r.Title != s.Title {
				t.Errorf("outcome %s: title %q", s.ID, r.Title)
			}
			continue
		}
		if !strings.HasPrefix(r.Title, "Step "+s.Number+": ") {
			t.Errorf("%s: title %q does not start with %q", s.ID, r.Title, "Step "+s.Number+":")
		}
		if loc := stepMention.FindStringIndex(text); loc == nil || loc[0] != 0 {
			t.Errorf("%s: another step is mentioned before the card's own title:\n%s", s.ID, text)
		}
		primaries := 0
		for _, a := range r.Actions {
			if a.Style == Primary {
				primaries++
			}
		}
		if primaries != 1 {
			t.Errorf("%s: %d primary buttons, want exactly 1 (%v)", s.ID, primaries, labels(r))
		}
	}
}

func TestSeedReferencesOnCards(t *testing.T) {
	f := newFlow()
	tests := []struct {
		id          string
		want, never []string
	}{
		{"test_entitlements", []string{"Section 3.2", "Industry Member CAIS Onboarding Guide", "Super Account Administrator (SAA)", "Test Environment", "CAT CAIS Reporter Portal User Guide"}, nil},
		{"prod_entitlements", []string{"Section 3.2", "Industry Member CAIS Onboarding Guide", "Super Account Administrator (SAA)", "Production Environment"}, []string{"Test Environment"}},
		{"certify_self", []string{"Section 6.1", "Industry Member CAIS Onboarding Guide"}, nil},
		{"certify_agent_request", []string{"Section 6 ", "Industry Member CAIS Onboarding Guide", "FINRA CAT Helpdesk", "all", "certified for CAIS production"}, nil},
		{"relationship_test", []string{"Section 7", "CAT CAIS Reporter Portal User Guide", "Reporter Portal Test Environment"}, []string{"Production Environment"}},
		{"relationship_prod", []string{"Section 7", "CAT CAIS Reporter Portal User Guide", "Reporter Portal Production Environment"}, []string{"Test Environment"}},
		{"method", []string{"clearing firm or service bureau", "manually", "Private Line/AWS PrivateLink", "Step 5", "Step 6"}, nil},
		{"obligation", []string{"firmDesignatedID", "FDID", "New Order", "New Quote", "Trade", "Order Fulfillment", "Allocation", "Step 2", "FINRA CAT Helpdesk"}, nil},
		{"register", []string{"CAT CAIS Registration Form", "separate and distinct from the **CAT Transaction Registration Form**", "no need to submit a new one", "**amend**", "estimate"}, nil},
	}
	for _, tc := range tests {
		text := body(cardOf(t, f, tc.id))
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s card lacks %q:\n%s", tc.id, w, text)
			}
		}
		for _, n := range tc.never {
			if strings.Contains(text, n) {
				t.Errorf("%s card wrongly mentions %q", tc.id, n)
			}
		}
	}
}

func TestPortalClicks(t *testing.T) {
	f := newFlow()
	clicks := []string{"FINRA login credentials (see Step 3)", "'Transaction Data'", "blue navigation bar", "'Reporting Relationships'", "'Add new'", "Save Changes"}
	for _, tc := range []struct{ id, env, other string }{
		{"relationship_test", "**Test Environment**", "Production"},
		{"relationship_prod", "**Production Environment**", "Test"},
	} {
		text := body(cardOf(t, f, tc.id))
		last := -1
		for _, c := range clicks {
			i := strings.Index(text, c)
			if i < 0 {
				t.Errorf("%s: portal instructions lack %s", tc.id, c)
				continue
			}
			if i < last {
				t.Errorf("%s: %s is out of order", tc.id, c)
			}
			last = i
		}
		if !strings.Contains(text, tc.env) || strings.Contains(text, tc.other) {
			t.Errorf("%s: want %s only, not %s:\n%s", tc.id, tc.env, tc.other, text)
		}
		for n := 1; n <= 4; n++ {
			if !strings.Contains(text, "\n"+string(rune('0'+n))+". ") {
				t.Errorf("%s: no numbered line %d", tc.id, n)
			}
		}
	}
}

func TestSeedDatesOnStep6(t *testing.T) {
	f := newFlow()
	for _, id := range []string{"certify_self", "certify_agent_request"} {
		text := body(cardOf(t, f, id))
		for _, want := range []string{
			"Certification opened: February 1, 2022\n", // an opening is not "passed"
			"July 25, 2022 — passed",
			"May 31, 2024 — passed",
			"to allow sufficient time to complete all onboarding steps",
			"all Industry Members (Large and Small)",
			"contact the **FINRA CAT Helpdesk** now",
			"internal plan",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: lacks %q:\n%s", id, want, text)
			}
		}
		if strings.Contains(text, "days left") || strings.Contains(text, "day left") || strings.Contains(text, "2022 — passed\n• Request") {
			t.Errorf("%s: a passed date shows days left, or the opening shows as passed:\n%s", id, text)
		}
	}
	// Step 1 carries the compliance date, also passed.
	if text := body(cardOf(t, f, "obligation")); !strings.Contains(text, "May 31, 2024 — passed") {
		t.Errorf("Step 1 does not show the compliance date as passed:\n%s", text)
	}
}

func hasHelpdesk(s string) bool {
	return strings.Contains(s, "888-696-3348") && strings.Contains(s, "help@finracat.com")
}

func TestHelpdeskOnEveryHelpPath(t *testing.T) {
	f := newFlow()
	helps := 0
	for _, s := range f.Roadmap.all() {
		p := Progress{Current: s.ID, Version: 3}
		card := f.Card(p, t0)
		if !hasHelpdesk(body(card)) {
			t.Errorf("%s card has no Helpdesk contact", s.ID)
		}
		for _, c := range s.Choices {
			if !c.Help {
				continue
			}
			helps++
			if c.Label != "Not sure" && c.Label != "Need help" {
				t.Errorf("%s: help answer labelled %q", s.ID, c.Label)
			}
			res := f.Click(p, Event{User: "U1", At: t0, Token: Token{Kind: KindChoose, Step: s.ID, Choice: c.ID, Version: 3}})
			if res.Next != nil {
				t.Errorf("%s %q changed progress", s.ID, c.Label)
			}
			if text := body(res.Reply); !hasHelpdesk(text) || !strings.Contains(text, "FINRA CAT Helpdesk") {
				t.Errorf("%s %q reply lacks the Helpdesk:\n%s", s.ID, c.Label, text)
			}
		}
	}
	if helps < 8 {
		t.Errorf("only %d help answers; every step 1–6(C) should have one", helps)
	}
	if text := body(cardOf(t, f, "no_obligation")); !strings.Contains(text, "**FINRA CAT Helpdesk:** 888-696-3348 · help@finracat.com") {
		t.Errorf("no-obligation outcome does not advise the Helpdesk:\n%s", text)
	}
}

func TestAnswerLabels(t *testing.T) {
	f := newFlow()
	for _, tc := range []struct {
		id      string
		labels  []string
		primary string
	}{
		{"obligation", []string{"Yes", "No", "Not sure", "Waiting on someone…", "Add evidence"}, "Yes"},
		{"method", []string{"CAT Reporting Agent", "Self-report: manual entry", "Self-report: file upload", "Need help", "Waiting on someone…", "Add evidence"}, "CAT Reporting Agent"},
		{"no_obligation", []string{"Reopen Step 1"}, ""},
		{"complete", nil, ""},
	} {
		r := cardOf(t, f, tc.id)
		if got := strings.Join(labels(r), "|"); got != strings.Join(tc.labels, "|") {
			t.Errorf("%s: buttons %q, want %q", tc.id, got, tc.labels)
		}
		for _, a := range r.Actions {
			if (a.Style == Primary) != (a.Label == tc.primary) {
				t.Errorf("%s: %q has style %q", tc.id, a.Label, a.Style)
			}
		}
	}
	// Step 4's agent answer asks for the agents before anything is recorded.
	if c, _ := mustStep(t, f, "method").Choice("agent"); c.Form == "" {
		t.Error("CAT Reporting Agent does not ask which agents")
	}
}

func mustStep(t *testing.T, f *Flow, id string) *Step {
	t.Helper()
	s, ok := f.Roadmap.Step(id)
	if !ok {
		t.Fatalf("no step %q", id)
	}
	return s
}

func TestRoadmapDatesAndHelpdesk(t *testing.T) {
	r := Default()
	if r.Helpdesk.Phone != "888-696-3348" || r.Helpdesk.Email != "help@finracat.com" {
		t.Errorf("helpdesk %+v", r.Helpdesk)
	}
	for _, tc := range []struct {
		id, date string
		steps    []string
	}{
		{"cert_opened", "2022-02-01", nil},
		{"cert_request", "2022-07-25", []string{"certify_self", "certify_agent_requested"}},
		{"full_compliance", "2024-05-31", []string{"certify_self", "relationship_prod"}},
	} {
		d, ok := r.Date(tc.id)
		if !ok || d.Date != tc.date || strings.Join(d.Steps, ",") != strings.Join(tc.steps, ",") {
			t.Errorf("date %s = %+v, want %s for %v", tc.id, d, tc.date, tc.steps)
		}
	}
}
