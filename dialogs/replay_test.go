package dialogs

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// journeys are the dialogs tests' journeys, each left in the memStore.
var journeys = []struct {
	name string
	run  func(t *testing.T, s *Service)
}{
	{"new firm", func(t *testing.T, s *Service) {}},
	{"agent path, two agents, waits, to the end", func(t *testing.T, s *Service) {
		card := walk(t, s, "Yes", "Registration submitted")
		card = submitForm(t, s, card, "Waiting on someone…", "U2", waitValues("our clearing firm", "T-1 (urgent), follow-up soon", "2026-12-10"))
		card = submitForm(t, s, card, "Waiting on: change…", "U3", waitValues("Our Clearing Firm", "T-2", "2026-12-11"))
		card = press(t, s, card, "Test entitlements granted", "U1", "")
		card = press(t, s, card, "CAT Reporting Agent", "U1", "Acme Clearing LLC\nBureau Co")
		card = walkOn(t, s, card, "Test relationships saved", "Agent certified", "Agent certified", "Certification requested|ref=HD-4711;follow_up=2026-12-20")
		card = submitForm(t, s, card, "Waiting on: change…", "U2", waitValues("FINRA CAT", "HD-4712", "2026-12-21"))
		walkOn(t, s, card, "FINRA CAT certified the firm", "Production entitlements granted", "Production relationships saved")
	}},
	{"agent path waiting on FINRA CAT", func(t *testing.T, s *Service) {
		walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved", "Agent certified", "Agent certified", "Certification requested|ref=")
	}},
	{"self path", func(t *testing.T, s *Service) {
		walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "Self-report: file upload", "Certified for production")
	}},
	{"No, then reopen", func(t *testing.T, s *Service) {
		walk(t, s, "No", "Reopen Step 1", "Yes")
	}},
	{"undo, one agent at a time", func(t *testing.T, s *Service) {
		walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved", "Agent certified", "Agent certified")
		command(t, s, admin, "undo")
		command(t, s, admin, "undo")
		walk(t, s, "Agent certified")
	}},
	{"reset with a wait", func(t *testing.T, s *Service) {
		card := walk(t, s, "Yes", "Registration submitted")
		submitForm(t, s, card, "Waiting on someone…", "U1", waitValues("the CAT Helpdesk", "", "2026-12-10"))
		prompt := command(t, s, admin, "reset")
		press(t, s, prompt, "Reset all progress", admin, "")
		walk(t, s, "Yes")
	}},
	{"wait set and cleared", func(t *testing.T, s *Service) {
		card := submitForm(t, s, walk(t, s, "Yes"), "Waiting on someone…", "U1", waitValues("the CAT Helpdesk", "", "2026-12-10"))
		press(t, s, card, "Clear wait", "U2", "")
	}},
	{"deadlines set and cleared", func(t *testing.T, s *Service) {
		walk(t, s, "Yes")
		command(t, s, admin, "deadline 2 2027-01-15")
		command(t, s, admin, "deadline 4 2027-02-15")
		command(t, s, admin, "deadline 2 2027-01-20")
		command(t, s, admin, "deadline 4 clear")
		submitForm(t, s, command(t, s, admin, ""), "Target date: change…", admin, map[string]string{targetField: "2027-03-01"})
	}},
	{"announce on and off", func(t *testing.T, s *Service) {
		command(t, s, admin, "announce")
		announceIn(t, s, "C2", "announce")
		announceIn(t, s, "C3", "announce")
		command(t, s, admin, "announce off")
		if err := s.EndSubscription(context.Background(), testFirm, "C3", "the channel was archived (it had (parentheses))"); err != nil {
			t.Fatal(err)
		}
	}},
	{"agents edited", func(t *testing.T, s *Service) {
		card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved", "Agent certified")
		submitForm(t, s, card, "Edit agents…", "U2", map[string]string{agentsField: "Acme Clearing LLC\nBureau Co\nPershing, LLC: [\"x\"]"})
	}},
}

// walkOn presses each button from card on, as walk does from the start.
func walkOn(t *testing.T, s *Service, card Reply, steps ...string) Reply {
	t.Helper()
	for _, st := range steps {
		label, input, _ := strings.Cut(st, "|")
		card = press(t, s, card, label, "U1", input)
	}
	return card
}

func announceIn(t *testing.T, s *Service, channel, text string) {
	t.Helper()
	if _, err := s.Command(context.Background(), testFirm, Event{User: admin, Channel: channel}, ParseCommand(text)); err != nil {
		t.Fatal(err)
	}
}

// assertReplaysTo fails unless entries replay to exactly stored (Opened
// and Last aside, which no entry carries; empty and missing maps alike,
// as the store keeps them).
func assertReplaysTo(t *testing.T, f *Flow, stored Progress, entries []Entry) {
	t.Helper()
	rp := Replay(f.Roadmap, entries)
	if d := f.Differences(stored, rp); len(d) > 0 {
		t.Errorf("differences:\n%s", strings.Join(d, "\n"))
	}
	got, want := rp.Progress, stored.Clone()
	want.Opened, want.Last = 0, nil
	if g, w := roundTrip(t, got), roundTrip(t, want); !reflect.DeepEqual(g, w) {
		t.Errorf("replayed:\n%s\nstored:\n%s", g, w)
	}
}

func roundTrip(t *testing.T, p Progress) string {
	t.Helper()
	b, err := json.MarshalIndent(p, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEveryJourneyReplaysToItsProgress(t *testing.T) {
	for _, j := range journeys {
		t.Run(j.name, func(t *testing.T) {
			s, m := newService(t)
			j.run(t, s)
			assertReplaysTo(t, s.Flow, stored(m), trail(m))
			if r := command(t, s, "U1", "verify"); !strings.Contains(r.Title, "verified") {
				t.Errorf("verify: %s", body(r))
			}
		})
	}
}

// The trail the previous build wrote replays to the progress it stored.
func TestOldTrailReplaysToItsProgress(t *testing.T) {
	f := newFlow()
	for name, old := range readOld6A(t) {
		t.Run(name, func(t *testing.T) { assertReplaysTo(t, f, old.Progress, old.Audit) })
	}
}

// Editing the stored progress behind the bot's back (the attack) makes
// verify fail and name what differs.
func TestVerifyNamesWhereProgressDiffersFromTheTrail(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(p *Progress)
		want string
	}{
		{"who confirmed a step", func(p *Progress) { p.Path[1].User = "U2" }, "Step 2 was confirmed by @{U2}; the trail says @{U1} (entry 2)"},
		{"when a step was confirmed", func(p *Progress) { p.Path[0].At = p.Path[0].At.AddDate(0, 0, -3) }, "Step 1 was confirmed at Nov 21, 2026"},
		{"the answer", func(p *Progress) { p.Path[3].Choice = "self_upload" }, "Step 4 was answered “self_upload”; the trail says “agent” (entry 4)"},
		{"a confirmation removed", func(p *Progress) { p.Path = p.Path[:len(p.Path)-1] }, "lists 5 confirmations; the trail has 6"},
		{"the agents", func(p *Progress) { p.Path[3].Agents = []string{"Acme Clearing LLC"} }, "names the CAT Reporting Agents “Acme Clearing LLC” with Step 4; the trail names “Acme Clearing LLC”, “Bureau Co” (entry 4)"},
		{"the agent certified", func(p *Progress) { p.Path[5].Agent = "Bureau Co" }, "is about agent “Bureau Co”; the trail says “Acme Clearing LLC” (entry 6)"},
		{"the current step", func(p *Progress) { p.Current = "prod_entitlements" }, "the firm is on Step 6(B): "},
		{"a target", func(p *Progress) { p.Targets["prod_entitlements"] = "2027-02-01" }, "the target date for Step 6(B) is 2027-02-01; the trail says 2027-01-15 (entry 7)"},
		{"a target added", func(p *Progress) { p.Targets["method"] = "2027-02-01" }, "the target date for Step 4 is 2027-02-01; the trail says none"},
		{"a subscription added", func(p *Progress) { p.Channels["C9"] = Subscription{User: admin} }, "channel `C9` gets deadline announcements; the trail says it does not"},
		{"a subscription removed", func(p *Progress) { delete(p.Channels, "C1") }, "trail says channel `C1` gets deadline announcements (entry 8); the stored progress says it does not"},
		{"who subscribed", func(p *Progress) { c := p.Channels["C1"]; c.User = "U7"; p.Channels["C1"] = c }, "was subscribed by @{U7}"},
		{"a wait", func(p *Progress) {
			w := p.Waits["certify_agent_request"]
			w.Ref = "T-9"
			p.Waits["certify_agent_request"] = w
		}, "Step 6(A) is waiting on the clearing firm (reference: T-9)"},
		{"a wait removed", func(p *Progress) { delete(p.Waits, "certify_agent_request") }, "trail says Step 6(A) is waiting on the clearing firm (reference: T-1), follow-up 2026-12-10 (entry 9)"},
		{"the version", func(p *Progress) { p.Version++ }, "is at version 10; the trail's last entry made version 9 (entry 9)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing LLC\nBureau Co", "Test relationships saved", "Agent certified")
			command(t, s, admin, "deadline 6(B) 2027-01-15")
			command(t, s, admin, "announce")
			submitForm(t, s, card, "Waiting on someone…", "U1", waitValues("the clearing firm", "T-1", "2026-12-10"))
			m.mu.Lock()
			p := m.p["F1"]
			tc.edit(&p)
			m.p["F1"] = p
			m.mu.Unlock()
			r := command(t, s, "U1", "verify")
			if text := body(r); strings.Contains(r.Title, "verified") || !strings.Contains(r.Title, "failed its check") || !strings.Contains(text, tc.want) {
				t.Errorf("verify after editing %s:\n%s", tc.name, text)
			}
		})
	}
}

// A wait whose words could be read two ways (the party's name holds
// " (reference: ") is compared as words, so an intact record verifies.
func TestAmbiguousWaitWordsStillVerify(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes")
	submitForm(t, s, card, "Waiting on someone…", "U1", waitValues("Acme (reference: desk 4)", "", "2026-12-10"))
	if d := s.Flow.Differences(stored(m), Replay(s.Flow.Roadmap, trail(m))); len(d) > 0 {
		t.Fatalf("differences: %v", d)
	}
	m.mu.Lock()
	w := m.p["F1"].Waits["register"]
	w.Who = "Acme"
	m.p["F1"].Waits["register"] = w
	m.mu.Unlock()
	if r := command(t, s, "U1", "verify"); !strings.Contains(body(r), "Step 2 is waiting on Acme, follow-up 2026-12-10") {
		t.Errorf("verify after editing the party: %s", body(r))
	}
}

// A stored progress that differs from its trail is an integrity failure
// for the metric too, not only in verify's words.
func TestProgressEditedBehindTheBotIsCounted(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes", "Registration submitted")
	var counted []string
	s.OnIntegrity = func(where string) { counted = append(counted, where) }
	if r := command(t, s, "U1", "verify"); !strings.Contains(r.Title, "verified") || len(counted) != 0 {
		t.Fatalf("an intact record: %q, counted %v", r.Title, counted)
	}
	p := m.p["F1"]
	p.Path[1].User = "U2"
	m.p["F1"] = p
	if r := command(t, s, "U1", "verify"); !strings.Contains(r.Title, "failed its check") || len(counted) != 1 || counted[0] != "verify" {
		t.Fatalf("an edited record: %q, counted %v", r.Title, counted)
	}
}
