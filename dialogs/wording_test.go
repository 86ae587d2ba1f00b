package dialogs

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// The "Done when" content test of issue 13: everything the bot can say
// about the roadmap — every card and outcome as admins and others see it,
// every help answer and confirmation dialog, status, deadlines, history,
// verify, export, help and reminders, and the channel lines of a walk —
// for a representative set of progress states, must not say what the
// meaning errors said, and must say what was restored.

// forbidden are the phrases of the meaning errors and rough edges.
var forbidden = []struct{ name, re string }{
	{"a conclusion that the firm has no obligation", `(?i)no (CAIS )?obligation|has no (CAIS )?(reporting )?obligation|not (required|obligated) to report`},
	{"target dates as a substitute for the compliance date", `(?i)works to its own target dates|onboarding now works to`},
	{"an opening shown as passed", `(?i)opened[^\n]*— passed|opened\*\* — passed`},
	{"'only to amend'", `(?i)only to \**amend`},
	{"the 2025 relief as a removal", `(?i)removed names|relief[^.\n]*removed`},
	{"internal jargon", `(?i)progress version`},
	{"a wrong plural", `\b1 (audit )?entries\b|\b1 confirmations\b|\b1 days left\b`},
	{"a repair deadline without a source", `(?i)T\+3|repair[^.\n]*within \d+`},
	{"'nothing more to do'", `(?i)nothing (more|else) to do`},
	{"steps off the answered path as not applicable (a determination)", `(?i)not applicable`},
	{"where the 2026 amendment's details are (not read)", `(?i)field list and timeline are in`},
	{"the team's record of certification as a fact", `(?m)^All of your firm's CAT Reporting Agents have certified`},
	{"the 2024 window as the schedule", `\(2024: April`},
	{"a conclusion about transaction registration", `(?i)does not register you for CAIS`},
}

// restored must each appear somewhere in what the bot says.
var restored = []string{
	"Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS",
	`defined by CAT as "Small Industry Members"`,
	"all Industry Members (Large and Small)",
	"Firms may submit a new CAT CAIS Registration Form to **amend**",
	"the specific Customer and Account attributes required to be reported to CAT CAIS are detailed",
	"to allow sufficient time to complete all onboarding steps",
	"It is an exemption a firm may use",
	"contact the **FINRA CAT Helpdesk** now",
	"internal plan",
	"reports no events containing an FDID",
	"CAT Reporting Agent (i.e., a clearing firm or service bureau)", // Step 4's "Need help"
}

// wordingState is one progress state and how to reach it.
type wordingState struct {
	name   string
	clicks []string // button labels pressed in turn ("label|input")
	admin  []string // admin commands typed after the clicks
}

var wordingStates = []wordingState{
	{"new firm", nil, nil},
	{"not sure", []string{"Not sure"}, nil},
	{"answered no", []string{"No"}, nil},
	{"reopened after no", []string{"No", "Reopen Step 1"}, nil},
	{"registered, one target", []string{"Yes", "Registration submitted"}, []string{"deadline 3 2026-12-20"}},
	{"agent path at 6(A)", []string{"Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing", "Test relationships saved"}, []string{"deadline 6A 2027-01-15", "announce"}},
	{"agent path complete", []string{"Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing", "Test relationships saved",
		"Agent certified", "Certification requested|ref=HD-1", "FINRA CAT certified the firm", "Production entitlements granted", "Production relationships saved"}, nil},
	{"self path at 6", []string{"Yes", "Registration submitted", "Test entitlements granted", "Self-report: file upload"}, nil},
	{"self path complete", []string{"Yes", "Registration submitted", "Test entitlements granted", "Self-report: manual entry", "Certified for production"}, nil},
}

// sayings walks to state st and collects everything the bot says on the
// way and in that state, by kind (for messages naming where a phrase is).
func sayings(t *testing.T, st wordingState) map[string]string {
	t.Helper()
	s, m := newService(t)
	out := map[string]string{}
	card := command(t, s, "U1", "")
	for _, c := range st.clicks {
		label, input, _ := strings.Cut(c, "|")
		next := press(t, s, card, label, "U1", input)
		out["after "+label] = allText(next)
		if next.Form == nil && len(next.Actions) > 0 {
			card = next
		}
	}
	for _, c := range st.admin {
		out["admin: "+c] = allText(command(t, s, admin, c))
	}
	p, f := stored(m), s.Flow
	for _, viewer := range []string{admin, "U1"} {
		out["card as "+viewer] = allText(f.CardFor(p, t0, viewer))
	}
	for _, cmd := range []string{"status", "deadlines", "history", "verify", "export", "help", "frobnicate"} {
		out[cmd] = allText(command(t, s, "U1", cmd))
	}
	for _, d := range f.Announced(p) {
		if day := d.Day.AddDate(0, 0, -7); !day.Before(t0) {
			out["reminder "+d.ID] = allText(f.AnnouncementReply(p, d, day.Add(9*60*60*1e9)))
		}
	}
	return out
}

// everyCard is every step and outcome card, every help answer and every
// confirmation dialog, as an admin and as anyone else sees them.
func everyCard(f *Flow) map[string]string {
	out := map[string]string{}
	for _, st := range f.Roadmap.all() {
		p := Progress{Current: st.ID, Version: 2}
		out["card "+st.ID] = allText(f.CardFor(p, t0, admin)) + allText(f.CardFor(p, t0, "U1"))
		for _, c := range st.Choices {
			if c.Help {
				out["help "+st.ID] = allText(f.Click(p, Event{User: "U1", At: t0, Token: Token{Kind: KindChoose, Step: st.ID, Choice: c.ID, Version: 2}}).Reply)
			}
			if k := c.Confirm; k != nil {
				out["confirm "+st.ID+" "+c.ID] = strings.Join([]string{k.Title, k.Text, k.OK, k.Cancel}, "\n")
			}
		}
	}
	return out
}

func TestWordingSaysWhatTheRoadmapSays(t *testing.T) {
	said := everyCard(newFlow())
	for _, st := range wordingStates {
		for where, text := range sayings(t, st) {
			said[st.name+" / "+where] = text
		}
	}
	var all strings.Builder
	for where, text := range said {
		all.WriteString(text)
		for _, f := range forbidden {
			if loc := regexp.MustCompile(f.re).FindStringIndex(text); loc != nil {
				t.Errorf("%s says %s: %q", where, f.name, text[max(loc[0]-60, 0):min(loc[1]+20, len(text))])
			}
		}
	}
	for _, want := range restored {
		if !strings.Contains(all.String(), want) {
			t.Errorf("nothing the bot says contains %q", want)
		}
	}
}

// The "No" card records the answer, advises the Helpdesk, shows its
// contact once; the "No" button asks first; the complete card (and
// /cais-next after it) lists the ongoing obligations with sources and
// as-of dates, and no longer tells the firm it is late.
func TestOutcomeCards(t *testing.T) {
	f := newFlow()
	no := body(f.Card(Progress{Current: "no_obligation"}, t0))
	if n := strings.Count(no, "888-696-3348"); n != 1 {
		t.Errorf("the No card shows the Helpdesk %d times:\n%s", n, no)
	}
	for _, w := range []string{"answered that it does **not** report", "not a determination", "We advise confirming with the FINRA CAT Helpdesk", "reopen Step 1"} {
		if !strings.Contains(no, w) {
			t.Errorf("the No card lacks %q:\n%s", w, no)
		}
	}
	for _, a := range f.Card(Progress{}, t0).Actions {
		if (a.Label == "No") != (a.Confirm != nil) {
			t.Errorf("Step 1 %q: confirm dialog %+v", a.Label, a.Confirm)
		}
	}
	s, _ := newService(t)
	done := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "Self-report: manual entry", "Certified for production")
	again := command(t, s, "U1", "")
	for _, r := range []Reply{done, again} {
		text := body(r)
		for _, w := range []string{
			"**Ongoing obligations**",
			"8:00 a.m. ET on the trading day after the firm receives it if received before 4:15 p.m. ET (T+1), otherwise T+2. CAIS rejects the FDID value 'PENDING'. (CAT FAQ Q21 (archived); as of December 2026)",
			"Customer and Account Reporting Disclosure Form",
			"entitlement certification",
			"maximum of 5%",
			"in writing, kept by both parties",
		} {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q:\n%s", r.Title, w, text)
			}
		}
		if got := strings.Count(text, "; as of "); got != 5 {
			t.Errorf("%s: %d obligations with an as-of date, want 5:\n%s", r.Title, got, text)
		}
		if strings.Contains(text, "contact the **FINRA CAT Helpdesk** now") {
			t.Errorf("%s still tells a finished firm it is late:\n%s", r.Title, text)
		}
	}
	if d := body(command(t, s, "U1", "deadlines")); strings.Contains(d, "has passed") || !strings.Contains(d, "Certification opened** — February 1, 2022") {
		t.Errorf("deadlines of a finished firm:\n%s", d)
	}
}

// The deadline hint is for admins, only while the step has no target;
// with no admins configured it says how an operator names them.
func TestTargetHint(t *testing.T) {
	const hint = "`{cmd} deadline 3 YYYY-MM-DD`"
	const howToAdmin = "CAIS_ADMIN_USERS"
	tests := []struct {
		name    string
		admins  []string
		viewer  string
		targets map[string]string
		want    string // "" means neither the hint nor CAIS_ADMIN_USERS
	}{
		{"admin, no target", []string{admin}, admin, nil, hint},
		{"admin, target set", []string{admin}, admin, map[string]string{"test_entitlements": "2027-01-05"}, ""},
		{"admin, target for another step", []string{admin}, admin, map[string]string{"method": "2027-01-05"}, hint},
		{"not an admin", []string{admin}, "U1", nil, ""},
		{"no admins configured", nil, "U1", nil, howToAdmin},
		{"no admins, target set", nil, "U1", map[string]string{"test_entitlements": "2027-01-05"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &Flow{Roadmap: Default(), Admins: tc.admins, Loc: nyc}
			text := body(f.CardFor(Progress{Current: "test_entitlements", Targets: tc.targets}, t0, tc.viewer))
			for _, w := range []string{hint, howToAdmin} {
				if strings.Contains(text, w) != (w == tc.want) {
					t.Errorf("card shows %q: %v, want %v:\n%s", w, strings.Contains(text, w), w == tc.want, text)
				}
			}
		})
	}
	// The outcome cards never carry it.
	f := &Flow{Roadmap: Default(), Loc: nyc}
	if text := body(f.CardFor(Progress{Current: "complete"}, t0, "U1")); strings.Contains(text, howToAdmin) {
		t.Errorf("complete card carries the hint:\n%s", text)
	}
}

// Where a platform sends a confirmation's Cancel back (Teams), the step's
// card returns and nothing is recorded.
func TestCancelledAnswerShowsTheCardAgain(t *testing.T) {
	s, m := newService(t)
	card := command(t, s, "U1", "")
	before := stored(m)
	r, err := s.Click(context.Background(), testFirm, Event{User: "U1"}, Token{Kind: KindCancel, Step: "obligation", Version: before.Version}.String())
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != card.Title || !r.Replace || !strings.Contains(body(r), "nothing was recorded") {
		t.Errorf("cancel answered %q (replace %v):\n%s", r.Title, r.Replace, body(r))
	}
	unchanged(t, m, before, 0)
}

// Counts read as English: one entry, one confirmation.
func TestPlurals(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes")
	status := body(command(t, s, "U1", "status"))
	for _, w := range []string{"1 audit entry ·", "latest change: @{U1} confirmed Step 1 on"} {
		if !strings.Contains(status, w) {
			t.Errorf("status lacks %q:\n%s", w, status)
		}
	}
	if v := body(command(t, s, "U1", "verify")); !strings.Contains(v, "The one entry is intact") {
		t.Errorf("verify: %s", v)
	}
	if e := body(command(t, s, "U1", "export")); !strings.Contains(e, "(1 entry, with") {
		t.Errorf("export: %s", e)
	}
	prompt := command(t, s, admin, "reset")
	if !strings.Contains(body(prompt), "(1 step confirmed so far)") {
		t.Errorf("reset prompt: %s", body(prompt))
	}
	press(t, s, prompt, "Reset all progress", admin, "")
	m.mu.Lock()
	last := m.entries["F1"][len(m.entries["F1"])-1]
	m.mu.Unlock()
	if last.Detail != "cleared 1 confirmation" {
		t.Errorf("reset entry detail %q", last.Detail)
	}
}
