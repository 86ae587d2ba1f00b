package dialogs

import (
	"slices"
	"strings"
	"testing"
)

// Admin commands: undo, reset, deadline, announce.

func trail(m *memStore) []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.entries["F1"])
}

func stored(m *memStore) Progress {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.p["F1"].Clone()
}

// walk opens the firm's card as U1 and presses each button in turn; a
// label "X|input" submits input with the click (the agents form).
func walk(t *testing.T, s *Service, steps ...string) Reply {
	t.Helper()
	card := command(t, s, "U1", "")
	for _, st := range steps {
		label, input, _ := strings.Cut(st, "|")
		card = press(t, s, card, label, "U1", input)
	}
	return card
}

// unchanged fails if the firm's progress or audit trail moved since before.
func unchanged(t *testing.T, m *memStore, before Progress, n int) {
	t.Helper()
	if p := stored(m); p.Version != before.Version || len(p.Path) != len(before.Path) {
		t.Errorf("progress changed: version %d→%d, path %d→%d", before.Version, p.Version, len(before.Path), len(p.Path))
	}
	if got := len(trail(m)); got != n {
		t.Errorf("audit entries %d, want %d", got, n)
	}
}

func TestAdminsOnly(t *testing.T) {
	cmds := []struct{ text, what string }{
		{"undo", "Only admins can undo a confirmation"},
		{"reset", "Only admins can reset the roadmap"},
		{"deadline 2 2027-01-15", "Only admins can set target dates"},
		{"announce", "Only admins can change deadline announcements"},
		{"announce off", "Only admins can change deadline announcements"},
	}
	for _, admins := range [][]string{{admin}, {admin, "UBOSS"}, nil} {
		for _, c := range cmds {
			s, m := newService(t)
			s.Flow.Admins = admins
			walk(t, s, "Yes")
			before, n := stored(m), len(trail(m))
			text := body(command(t, s, "U1", c.text))
			if !strings.Contains(text, c.what) || !strings.Contains(text, "Nothing was changed") {
				t.Errorf("%v %q: reply %q", admins, c.text, text)
			}
			for _, a := range admins {
				if !strings.Contains(text, "@{"+a+"}") {
					t.Errorf("%q: refusal does not name admin %s: %q", c.text, a, text)
				}
			}
			if len(admins) == 0 && !strings.Contains(text, "CAIS_ADMIN_USERS") {
				t.Errorf("%q with no admins: reply does not say how to configure them: %q", c.text, text)
			}
			unchanged(t, m, before, n)
		}
	}
}

func TestUndo(t *testing.T) {
	s, m := newService(t)
	if r := command(t, s, admin, "undo"); r.Title != "Nothing to undo" {
		t.Errorf("undo with nothing confirmed: %q", body(r))
	}
	if len(trail(m)) != 0 || stored(m).Version != 0 {
		t.Fatal("undo with nothing confirmed wrote something")
	}
	walk(t, s, "Yes", "Registration submitted")
	want := []struct{ title, cur string }{
		{"Step 2: Register for CAT CAIS", "register"},
		{"Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS", "obligation"},
	}
	for i, w := range want {
		r := command(t, s, admin, "undo")
		if r.Title != w.title {
			t.Errorf("undo %d: card %q, want %q", i+1, r.Title, w.title)
		}
		p := stored(m)
		if p.Current != w.cur || len(p.Path) != 1-i {
			t.Errorf("undo %d: current %q path %d", i+1, p.Current, len(p.Path))
		}
		e := trail(m)[len(trail(m))-1]
		if e.Action != ActUndo || e.Step != w.cur || e.User != admin || e.Version != p.Version || !strings.Contains(e.Detail, "U1") {
			t.Errorf("undo %d: entry %+v", i+1, e)
		}
		if !strings.Contains(r.Public, "@{UADMIN} reopened **"+w.title+"**") || !strings.Contains(r.Public, "confirmed by @{U1} on Nov 24, 2026") {
			t.Errorf("undo %d: public line %q", i+1, r.Public)
		}
	}
	if r := command(t, s, admin, "undo"); r.Title != "Nothing to undo" {
		t.Errorf("third undo: %q", r.Title)
	}
	if n := len(trail(m)); n != 4 {
		t.Errorf("%d entries, want 2 confirmations + 2 undos", n)
	}
	if b := VerifyChain(trail(m), stored(m).Head); b != nil {
		t.Error(b)
	}
}

func TestReset(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes", "Registration submitted")
	command(t, s, admin, "deadline 6A 2027-06-05")
	command(t, s, admin, "announce")
	prompt := command(t, s, admin, "reset")
	if len(prompt.Actions) != 2 {
		t.Fatalf("reset prompt buttons %v", labels(prompt))
	}
	danger, cancel := prompt.Actions[0], prompt.Actions[1]
	if danger.Style != Danger || danger.Confirm == nil || danger.Confirm.OK == "" || danger.Confirm.Cancel == "" {
		t.Errorf("reset button %+v must be Danger with a confirmation dialog", danger)
	}
	if cancel.Label != "Cancel" || cancel.Style == Danger {
		t.Errorf("second button %+v, want a plain Cancel", cancel)
	}
	if !strings.Contains(body(prompt), "2 steps confirmed so far") {
		t.Errorf("prompt does not say what is lost: %q", body(prompt))
	}
	before, n := stored(m), len(trail(m))

	// Cancel, and a non-admin replaying the admin's valid reset token.
	if r := press(t, s, prompt, "Cancel", admin, ""); r.Title != "Reset cancelled" || !r.Replace {
		t.Errorf("cancel: %+v", r)
	}
	if r := press(t, s, prompt, "Reset all progress", "U1", ""); !strings.Contains(body(r), "Only admins can reset") {
		t.Errorf("non-admin reset click: %q", body(r))
	}
	unchanged(t, m, before, n)

	r := press(t, s, prompt, "Reset all progress", admin, "")
	if !strings.HasPrefix(r.Title, "Step 1: ") || !strings.Contains(r.Public, "@{UADMIN} reset") {
		t.Errorf("reset reply %q / %q", r.Title, r.Public)
	}
	p := stored(m)
	if len(p.Path) != 0 || p.Current != "" {
		t.Errorf("reset left path %v current %q", p.Path, p.Current)
	}
	if p.Targets["certify_agent_request"] != "2027-06-05" || p.Channels["C1"].User != admin {
		t.Errorf("reset lost targets %v or channels %v", p.Targets, p.Channels)
	}
	all := trail(m)
	last := all[len(all)-1]
	if last.Action != ActReset || last.Seq != int64(n+1) || last.Prev != all[n-1].Hash || !strings.Contains(last.Detail, "2 confirmations") {
		t.Errorf("reset entry %+v does not continue the chain", last)
	}
	if b := VerifyChain(all, p.Head); b != nil {
		t.Error(b)
	}
	// The chain keeps going after a reset.
	walk(t, s, "Yes")
	if b := VerifyChain(trail(m), stored(m).Head); b != nil || len(trail(m)) != n+2 {
		t.Errorf("after reset: %v, %d entries", b, len(trail(m)))
	}
}

func TestDeadlineCommand(t *testing.T) {
	tests := []struct {
		text, title string
		want        []string
		step        string // Targets key written, if any
	}{
		{"deadline 6A 2027-06-05", "Target date set", []string{"Step 6(A)", "June 5, 2027"}, "certify_agent_request"},
		{"deadline 6(a) 2027-06-05", "Target date set", []string{"Step 6(A)"}, "certify_agent_request"},
		{"DEADLINE step 2 2027-01-15", "Deadline not set", []string{"Usage"}, ""}, // three words
		{"deadline 2 2027-01-15", "Target date set", []string{"Step 2: Register", "January 15, 2027"}, "register"},
		{"deadline 6 2026-11-24", "Target date set", []string{"Step 6: ", "November 24, 2026"}, "certify_self"},
		{"deadline 9 2027-01-15", "Deadline not set", []string{`no step "9"`, "1, 2, 3, 4, 5, 6, 6(A), 6(B), 6(C)", "Nothing was changed"}, ""},
		{"deadline 2 2027-02-30", "Deadline not set", []string{`"2027-02-30" is not a date`}, ""},
		{"deadline 2 15/01/2027", "Deadline not set", []string{"is not a date"}, ""},
		{"deadline 2 2026-11-23", "Deadline not set", []string{"November 23, 2026 has already passed"}, ""},
		{"deadline 2", "Deadline not set", []string{"Usage", "deadline 6A 2027-06-05"}, ""},
		{"deadline", "Deadline not set", []string{"Usage"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			s, m := newService(t)
			r := command(t, s, admin, tc.text)
			text := body(r)
			if r.Title != tc.title {
				t.Errorf("title %q, want %q (%s)", r.Title, tc.title, text)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("reply lacks %q:\n%s", w, text)
				}
			}
			p, es := stored(m), trail(m)
			if tc.step == "" {
				if len(es) != 0 || len(p.Targets) != 0 {
					t.Errorf("refused deadline wrote %v %v", es, p.Targets)
				}
				return
			}
			if _, ok := p.Targets[tc.step]; !ok || len(es) != 1 || es[0].Action != ActDeadline || es[0].Step != tc.step {
				t.Errorf("targets %v, entries %+v", p.Targets, es)
			}
			if !strings.Contains(r.Public, "@{UADMIN} set the firm's target") {
				t.Errorf("public %q", r.Public)
			}
		})
	}
}

func TestTargetOnCardAndDeadlines(t *testing.T) {
	s, _ := newService(t)
	command(t, s, admin, "deadline 6A 2027-06-05")
	command(t, s, admin, "deadline 5 2026-11-25")
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme Clearing")
	if text := body(card); !strings.Contains(text, "**Your target for Step 5:** November 25, 2026 — 1 day left") {
		t.Errorf("Step 5 card lacks its target:\n%s", text)
	}
	card = press(t, s, card, "Test relationships saved", "U1", "")
	if text := body(card); !strings.Contains(text, "**Your target for Step 6(A):** June 5, 2027 — 193 days left") {
		t.Errorf("Step 6(A) card lacks its target:\n%s", text)
	}
	d := body(command(t, s, "U1", "deadlines"))
	for _, w := range []string{
		"Certification opened** — February 1, 2022",
		"onboarding steps (roadmap date)** — passed (July 25, 2022)",
		"compliance (roadmap date)** — passed (May 31, 2024)",
		"Your target: Step 6(A)", "June 5, 2027: 193 days left",
		"November 25, 2026: 1 day left",
		"your firm's internal plan",
		"contact the **FINRA CAT Helpdesk** now",
	} {
		if !strings.Contains(d, w) {
			t.Errorf("deadlines lack %q:\n%s", w, d)
		}
	}
	if strings.Index(d, "February 1, 2022") > strings.Index(d, "June 5, 2027") {
		t.Errorf("deadlines not in date order:\n%s", d)
	}
}

func TestAnnounce(t *testing.T) {
	s, m := newService(t)
	steps := []struct {
		text, title, action string
		on                  bool
	}{
		{"announce", "Announcements on", ActAnnounce, true},
		{"announce", "Announcements unchanged", "", true},
		{"ANNOUNCE OFF", "Announcements off", ActAnnounceOff, false},
		{"announce off", "Announcements unchanged", "", false},
		{"announce maybe", "Announcements unchanged", "", false},
		{"announce off now", "Announcements unchanged", "", false},
		{"announce", "Announcements on", ActAnnounce, true},
	}
	for _, st := range steps {
		n := len(trail(m))
		r := command(t, s, admin, st.text)
		if r.Title != st.title {
			t.Errorf("%q: %q, want %q (%s)", st.text, r.Title, st.title, body(r))
		}
		es := trail(m)
		if st.action == "" && len(es) != n {
			t.Errorf("%q wrote an entry", st.text)
		}
		if st.action != "" && (len(es) != n+1 || es[n].Action != st.action || es[n].Detail != "channel C1") {
			t.Errorf("%q: entries %+v", st.text, es[n:])
		}
		if _, on := stored(m).Channels["C1"]; on != st.on {
			t.Errorf("%q: subscribed=%v, want %v", st.text, on, st.on)
		}
	}
	if text := body(command(t, s, admin, "announce")); !strings.Contains(text, "already get") {
		t.Errorf("repeat announce: %q", text)
	}
	if text := body(command(t, s, "U1", "history")); !strings.Contains(text, "subscribed channel C1") || !strings.Contains(text, "unsubscribed channel C1") {
		t.Errorf("history:\n%s", text)
	}
}
