package dialogs

import (
	"strings"
	"testing"
)

// An agents change keeps 6(A) truthful: an agent added after the others
// were confirmed gets its own card before the firm may ask to be
// certified; removing the last agent still to confirm moves the firm on;
// once the request is recorded, no agent may be added. Every move is in
// the trail, and the trail replays to the stored progress.
func TestAgentsChangeKeeps6ATruthful(t *testing.T) {
	toAgents := []string{"Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved"}
	for _, tc := range []struct {
		name        string
		after       []string // clicks after reaching the per-agent step
		agents      string   // the list submitted
		wantCurrent string
		wantAsk     string // the card after the change asks about this agent
		wantPublic  string
		wantRefused bool
		wantDetail  string
	}{
		{"an agent added after both were confirmed", []string{"Agent certified", "Agent certified"}, "Acme Clearing LLC\nBureau Co\nNew Agent Co",
			"certify_agent_request", "has **New Agent Co** certified", "the firm is back at **Step 6(A)", false,
			`now: ["Acme Clearing LLC","Bureau Co","New Agent Co"]; back to: certify_agent_request`},
		{"the agent still to confirm removed", []string{"Agent certified"}, "Acme Clearing LLC",
			"certify_agent_requested", "", "so the firm moves on to **Step 6(A)", false,
			`now: ["Acme Clearing LLC"]; on to: certify_agent_requested`},
		{"an agent added after the request", []string{"Agent certified", "Agent certified", "Certification requested|ref=HD-4711;follow_up=2026-12-20"}, "Acme Clearing LLC\nBureau Co\nNew Agent Co",
			"certify_agent_finra", "", "", true, ""},
		{"an agent removed after the request", []string{"Agent certified", "Agent certified", "Certification requested|ref=HD-4711;follow_up=2026-12-20"}, "Acme Clearing LLC",
			"certify_agent_finra", "", "changed the firm's CAT Reporting Agents", false, `now: ["Acme Clearing LLC"]`},
		{"an agent renamed while both are still to confirm", nil, "Acme Clearing LLC\nNorthwind Bureau",
			"certify_agent_request", "has **Acme Clearing LLC** certified", "changed the firm's CAT Reporting Agents", false, `now: ["Acme Clearing LLC","Northwind Bureau"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			card := walkOn(t, s, walk(t, s, toAgents...), tc.after...)
			before := len(trail(m))
			out := clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: tc.agents})
			p := stored(m)
			if p.Current != tc.wantCurrent {
				t.Errorf("current %q, want %q", p.Current, tc.wantCurrent)
			}
			if tc.wantRefused {
				if out.Title != "Agents not changed" || !strings.Contains(partsText(out), "no confirmation of its own") || len(trail(m)) != before {
					t.Errorf("adding an agent after the request: %q %q, %d entries written", out.Title, partsText(out), len(trail(m))-before)
				}
				return
			}
			if !strings.Contains(out.Public, tc.wantPublic) {
				t.Errorf("public line %q, want %q", out.Public, tc.wantPublic)
			}
			if e := trail(m)[len(trail(m))-1]; e.Action != ActAgents || e.Detail != tc.wantDetail {
				t.Errorf("entry %s %q, want %q", e.Action, e.Detail, tc.wantDetail)
			}
			if text := body(command(t, s, "U1", "")); tc.wantAsk != "" && !strings.Contains(text, tc.wantAsk) {
				t.Errorf("the card does not ask %q:\n%s", tc.wantAsk, text)
			}
			assertReplaysTo(t, s.Flow, stored(m), trail(m))
		})
	}
}

// After the added agent's confirmation the firm is back at the request,
// and the request card names all three agents, each confirmed.
func TestAddedAgentConfirmedBeforeRequest(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved", "Agent certified", "Agent certified")
	card = clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: "Acme Clearing LLC\nBureau Co\nNew Agent Co"})
	card = press(t, s, card, "Agent certified", "U1", "")
	p := stored(m)
	if p.Current != "certify_agent_requested" || len(pendingAgents(p, mustStep(t, s.Flow, "certify_agent_request"))) != 0 {
		t.Fatalf("current %q after confirming the added agent", p.Current)
	}
	if !strings.Contains(body(card), "**New Agent Co**") {
		t.Errorf("the request card does not name the added agent:\n%s", body(card))
	}
	assertReplaysTo(t, s.Flow, p, trail(m))
}

// A per-agent card names the agent it asks about by its place in the
// list: after any change to the list, a card drawn before it is stale,
// so a click on it can never record another agent than the one it asked
// about.
func TestPerAgentCardBeforeAnAgentsChangeIsStale(t *testing.T) {
	toThree := []string{"Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co\nCobalt Inc", "Test relationships saved"}
	for _, tc := range []struct {
		name   string
		before []string
		agents string
	}{
		{"the agent it asked about removed", []string{"Agent certified"}, "Acme Clearing LLC\nCobalt Inc"},
		{"the list reordered", nil, "Cobalt Inc\nAcme Clearing LLC\nBureau Co"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			card := walkOn(t, s, walk(t, s, toThree...), tc.before...)
			clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: tc.agents})
			n := len(trail(m))
			out := press(t, s, card, "Agent certified", "U1", "")
			if len(trail(m)) != n || !strings.Contains(partsText(out), "This card is from before @{U2} changed the firm's CAT Reporting Agents") {
				t.Errorf("old per-agent card: %d entries written, %q", len(trail(m))-n, partsText(out))
			}
		})
	}
}

// An undo that reopens the per-agent step for an agent removed since
// leaves every agent named confirmed: the firm stays at the request
// rather than on a card that asks about nobody, and the trail says so.
func TestUndoOfARemovedAgentsConfirmation(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved", "Agent certified", "Agent certified")
	clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: "Acme Clearing LLC"})
	out := command(t, s, admin, "undo")
	p := stored(m)
	e := trail(m)[len(trail(m))-1]
	if p.Current != "certify_agent_requested" || !strings.HasSuffix(e.Detail, "; on to: certify_agent_requested") || !strings.Contains(out.Public, "moves on to **Step 6(A)") ||
		!strings.Contains(out.Public, "(it had been confirmed for **Bureau Co** by @{U1}") {
		t.Errorf("after the undo: current %q, entry %q, line %q", p.Current, e.Detail, out.Public)
	}
	assertReplaysTo(t, s.Flow, p, trail(m))
}

// Moving on past the per-agent step ends its wait, as a confirmation
// would: no follow-up reminder for a step the firm has left.
func TestMovingOnEndsThePerAgentWait(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved", "Agent certified")
	card = submitForm(t, s, card, "Waiting on someone…", "U1", map[string]string{WaitWho: "Bureau Co", WaitFollowUp: "2026-12-20"})
	clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: "Acme Clearing LLC"})
	p := stored(m)
	e := trail(m)[len(trail(m))-1]
	if _, waiting := p.Waits["certify_agent_request"]; waiting || p.Current != "certify_agent_requested" || !strings.Contains(e.Detail, "; on to: certify_agent_requested; ended the wait: waiting on Bureau Co") {
		t.Errorf("current %q, waits %v, entry %q", p.Current, p.Waits, e.Detail)
	}
	assertReplaysTo(t, s.Flow, p, trail(m))
}

// The packet lists under Step 4 only the agents changes made after the
// confirmation that stands, not those of a pass an undo took back.
func TestPacketAgentsChangesOfTheStandingConfirmation(t *testing.T) {
	s, _ := newService(t)
	pk := &fakePackager{}
	s.Packager = pk
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC")
	clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: "Acme Clearing LLC\nOld Bureau"})
	command(t, s, admin, "undo")
	card = press(t, s, command(t, s, "U1", ""), "CAT Reporting Agent", "U1", "Zeta Agent")
	clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: "Zeta Agent\nNew Co"})
	command(t, s, "U1", "packet")
	var got []string
	for _, st := range pk.in.Steps {
		if len(st.Agents) > 0 {
			got = append(got, strings.Join(st.Agents, ","))
			for _, c := range st.AgentsChanged {
				got = append(got, c.Text)
			}
		}
	}
	if want := "Zeta Agent|Changed to: Zeta Agent; New Co"; strings.Join(got, "|") != want {
		t.Errorf("packet's Step 4: %q, want %q", strings.Join(got, "|"), want)
	}
}

// "deadline 6A" while 6(A)'s request is open sets the target: the first
// part confirmed does not make 6(A) done. Once FINRA CAT certified the
// firm, 6(A) is done and the target is refused, naming that confirmation.
func TestDeadlineForAStepInParts(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC", "Test relationships saved", "Agent certified")
	if r := command(t, s, admin, "deadline 6A 2027-04-01"); r.Title != "Target date set" || stored(m).Targets["certify_agent_request"] != "2027-04-01" {
		t.Fatalf("deadline 6A at the request: %q %q", r.Title, partsText(r))
	}
	card = walkOn(t, s, card, "Certification requested|ref=HD-1;follow_up=2026-12-20", "FINRA CAT certified the firm")
	r := command(t, s, admin, "deadline 6A 2027-05-01")
	if r.Title != "Deadline not set" || !strings.Contains(partsText(r), "is already done (confirmed by @{U1}") {
		t.Errorf("deadline 6A after certification: %q %q", r.Title, partsText(r))
	}
}

// Status names each agent of a per-agent step with who confirmed it, both
// while the step is under way and once every agent is done.
func TestStatusNamesEachAgentsConfirmation(t *testing.T) {
	s, _ := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau & Co", "Test relationships saved", "Agent certified")
	first := "“Acme Clearing LLC” confirmed by " + Mention("U1") + " on "
	under := body(command(t, s, "U1", "status"))
	if !strings.Contains(under, "1 of 2 agents certified so far: "+first) || strings.Contains(under, "“Bureau & Co” confirmed") {
		t.Errorf("status while under way:\n%s", under)
	}
	press(t, s, card, "Agent certified", "U2", "")
	done := body(command(t, s, "U1", "status"))
	want := "Agent certified: " + first
	second := "; “Bureau & Co” confirmed by " + Mention("U2") + " on "
	if !strings.Contains(done, want) || !strings.Contains(done, second) {
		t.Errorf("status once every agent is done lacks %q and %q:\n%s", want, second, done)
	}
}

// While the request for certification only awaits approval, adding an
// agent is refused in words that say so, and how to withdraw it.
func TestAgentAddedWhileTheRequestAwaitsApproval(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC", "Test relationships saved", "Agent certified")
	s.Flow.Principals = []string{carol}
	card = press(t, s, card, "Certification requested", "U1", "ref=HD-4711;follow_up=2026-12-20")
	if stored(m).Pending == nil {
		t.Fatal("the request does not await approval")
	}
	before := len(trail(m))
	out := clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: "Acme Clearing LLC\nNew Agent Co"})
	text := partsText(out)
	if out.Title != "Agents not changed" || !strings.Contains(text, "request for certification (Step 6(A)) awaits a principal's approval") || strings.Contains(text, "already recorded") || len(trail(m)) != before {
		t.Errorf("%q %q, %d entries written", out.Title, text, len(trail(m))-before)
	}
}

// An undo of a per-agent confirmation names the agent in its entry, so
// the trail (not only the channel line) says whose confirmation was
// withdrawn; a name that imitates the entry's own markers changes
// nothing replay reads.
func TestUndoEntryNamesTheAgent(t *testing.T) {
	for _, tc := range []struct{ name, agents, wantDetail, wantReadable, wantHistory string }{
		{"plain", "Acme & Co\nBureau Co", `; agent: ["Acme \u0026 Co"]`, "; agent: “Acme & Co”", "; agent: “Acme & Co”"},
		{"imitating a move", "x; on to: certify_agent_finra\nBureau Co", `; agent: ["x\u003b on to: certify_agent_finra"]`,
			"; agent: “x; on to: certify_agent_finra”", "; agent: “x; on to: certifyˍagentˍfinra”"}, // chat shows markers as look-alikes
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|"+tc.agents, "Test relationships saved", "Agent certified")
			command(t, s, admin, "undo")
			e := trail(m)[len(trail(m))-1]
			if e.Action != ActUndo || !strings.HasSuffix(e.Detail, tc.wantDetail) {
				t.Errorf("undo entry %s %q, want it to end %q", e.Action, e.Detail, tc.wantDetail)
			}
			if h := body(command(t, s, "U1", "history")); !strings.Contains(h, tc.wantHistory) {
				t.Errorf("history lacks %q:\n%s", tc.wantHistory, h)
			}
			if got := ReadableDetail(e.Detail); !strings.HasSuffix(got, tc.wantReadable) {
				t.Errorf("readable detail %q", got)
			}
			assertReplaysTo(t, s.Flow, stored(m), trail(m))
		})
	}
}

// While the request awaits approval, removing an agent is refused too:
// the principal decides on the request as it was made.
func TestAgentRemovedWhileTheRequestAwaitsApproval(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved", "Agent certified", "Agent certified")
	s.Flow.Principals = []string{carol}
	card = press(t, s, card, "Certification requested", "U1", "ref=HD-4711;follow_up=2026-12-20")
	before := len(trail(m))
	out := clickAs(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: "Acme Clearing LLC"})
	if out.Title != "Agents not changed" || !strings.Contains(partsText(out), "The list cannot change until it is approved or sent back.") || len(trail(m)) != before {
		t.Errorf("%q %q, %d entries written", out.Title, partsText(out), len(trail(m))-before)
	}
}
