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
