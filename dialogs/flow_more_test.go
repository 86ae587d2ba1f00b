package dialogs

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Stale cards, repeated and concurrent clicks, the agents form, commands.

func TestStaleClicks(t *testing.T) {
	t.Run("step confirmed by someone else", func(t *testing.T) {
		s, m := newService(t)
		mine := command(t, s, "U1", "")
		theirs := command(t, s, "U2", "")
		press(t, s, theirs, "Yes", "U2", "")
		before, n := stored(m), len(trail(m))
		for _, label := range []string{"No", "Yes", "Not sure"} {
			r := press(t, s, mine, label, "U1", "")
			text := body(r)
			for _, w := range []string{"Step 1 was already confirmed by @{U2} on Nov 24, 2026", "(answer: Yes)", "Nothing was changed"} {
				if !strings.Contains(text, w) {
					t.Errorf("%q on a stale card: reply lacks %q:\n%s", label, w, text)
				}
			}
			if !r.Replace || !strings.Contains(text, "Step 2: Register for CAT CAIS") || r.Public != "" {
				t.Errorf("%q: stale reply must replace the card with the current step, silently", label)
			}
			unchanged(t, m, before, n)
		}
	})
	t.Run("card of a step reopened by undo", func(t *testing.T) {
		s, m := newService(t)
		card2 := walk(t, s, "Yes")
		command(t, s, admin, "undo")
		before, n := stored(m), len(trail(m))
		text := body(press(t, s, card2, "Registration submitted", "U1", ""))
		for _, w := range []string{"Step 2 is no longer the current step", "@{UADMIN} reopened Step 1 on Nov 24, 2026", "Nothing was changed", "Step 1: Determine"} {
			if !strings.Contains(text, w) {
				t.Errorf("reply lacks %q:\n%s", w, text)
			}
		}
		unchanged(t, m, before, n)
	})
	t.Run("card from before a reset", func(t *testing.T) {
		s, m := newService(t)
		card3 := walk(t, s, "Yes", "Registration submitted")
		press(t, s, command(t, s, admin, "reset"), "Reset all progress", admin, "")
		before, n := stored(m), len(trail(m))
		text := body(press(t, s, card3, "Test entitlements granted", "U1", ""))
		if !strings.Contains(text, "@{UADMIN} reset the roadmap on Nov 24, 2026") {
			t.Errorf("reply does not say who reset:\n%s", text)
		}
		unchanged(t, m, before, n)
	})
	t.Run("double click by the same user", func(t *testing.T) {
		s, m := newService(t)
		card := command(t, s, "U1", "")
		first := press(t, s, card, "Yes", "U1", "")
		second := press(t, s, card, "Yes", "U1", "")
		if first.Public == "" || second.Public != "" {
			t.Errorf("public lines %q / %q: only the first click announces", first.Public, second.Public)
		}
		if es := trail(m); len(es) != 1 || es[0].Card != 0 || es[0].Version != 1 {
			t.Errorf("entries %+v, want one confirmation from card version 0", es)
		}
		if !strings.Contains(body(second), "already confirmed by @{U1}") {
			t.Errorf("second click: %s", body(second))
		}
	})
	t.Run("bogus tokens", func(t *testing.T) {
		s, m := newService(t)
		for _, v := range []string{"", "c1|choose|obligation|maybe|0", "c1|choose|nowhere|yes|0", "c2|choose|obligation|yes|0", "c1|choose|obligation|yes|-1", "c1|explode|obligation|yes|0"} {
			r, err := s.Click(context.Background(), testFirm, Event{User: "U1"}, v)
			if err != nil || !strings.Contains(body(r), "Nothing was changed") {
				t.Errorf("%q: %v %q", v, err, body(r))
			}
		}
		unchanged(t, m, Progress{}, 0)
	})
}

func TestConcurrentClicks(t *testing.T) {
	for _, mixed := range []bool{false, true} {
		t.Run(fmt.Sprintf("mixed=%v", mixed), func(t *testing.T) {
			s, m := newService(t)
			card := command(t, s, "U0", "")
			yes, no := card.Actions[0].Value, card.Actions[1].Value
			var wg sync.WaitGroup
			replies := make([]Reply, 20)
			errs := make([]error, 20)
			for i := range 20 {
				wg.Go(func() {
					v := yes
					if mixed && i%2 == 1 {
						v = no
					}
					// At is set, so the service's clock is not shared.
					replies[i], errs[i] = s.Click(context.Background(), testFirm, Event{User: fmt.Sprintf("U%d", i+1), Channel: "C1", At: t0}, v)
				})
			}
			wg.Wait()
			public := 0
			for i := range 20 {
				if errs[i] != nil {
					t.Errorf("click %d: %v", i, errs[i])
				}
				if replies[i].Public != "" {
					public++
				} else if !strings.Contains(body(replies[i]), "already confirmed by @{U") {
					t.Errorf("loser %d not told who won: %s", i, body(replies[i]))
				}
			}
			es := trail(m)
			if len(es) != 1 || public != 1 || stored(m).Version != 1 {
				t.Fatalf("%d entries, %d public posts, version %d; want exactly one confirmation", len(es), public, stored(m).Version)
			}
			if b := VerifyChain(es, stored(m).Head); b != nil {
				t.Error(b)
			}
		})
	}
}

func TestAgentsForm(t *testing.T) {
	long := strings.Repeat("n", 101)
	eleven := ""
	for i := range 11 {
		eleven += fmt.Sprintf("Agent %d\n", i)
	}
	tests := []struct {
		name, input, problem string
		agents               []string
	}{
		{"empty", "", "at least one", nil},
		{"blank", "   \n\t", "at least one", nil},
		{"only separators", ",;\n,", "at least one", nil},
		{"eleven agents", eleven, "at most 10 agents", nil},
		{"101-character name", "Acme\n" + long, "at most 100 characters", nil},
		{"one", "Acme Clearing", "", []string{"Acme Clearing"}},
		{"lines, spaces, duplicates; commas kept", " Acme  Clearing \nPershing, LLC\r\nAcme Clearing\n,;", "", []string{"Acme Clearing", "Pershing, LLC"}},
		{"100 characters", long[:100], "", []string{long[:100]}},
		{"ten", strings.Join(strings.Split(strings.TrimSpace(eleven), "\n")[:10], "\n"), "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted")
			form := press(t, s, card, "CAT Reporting Agent", "U1", "")
			if form.Form == nil || form.FormToken == "" || form.FormError != "" || form.Title != "Reporting agents" {
				t.Fatalf("first click does not open the form: %+v", form)
			}
			before, n := stored(m), len(trail(m))
			r, err := s.Click(context.Background(), testFirm, Event{User: "U1", Channel: "C1", Input: tc.input, Submitted: true}, form.FormToken)
			if err != nil {
				t.Fatal(err)
			}
			if tc.problem != "" {
				if r.Form == nil || r.FormToken != form.FormToken || !strings.Contains(r.FormError, tc.problem) {
					t.Errorf("bad input: form %v, error %q, want one mentioning %q", r.Form != nil, r.FormError, tc.problem)
				}
				unchanged(t, m, before, n)
				return
			}
			if r.Form != nil || !strings.HasPrefix(r.Title, "Step 5: ") {
				t.Fatalf("good input: %q %q", r.Title, r.FormError)
			}
			got := stored(m).Agents()
			if tc.agents != nil && strings.Join(got, "|") != strings.Join(tc.agents, "|") {
				t.Errorf("agents %q, want %q", got, tc.agents)
			}
			if e := trail(m)[n]; !strings.Contains(e.Detail, got[0]) {
				t.Errorf("audit detail %q lacks the agents", e.Detail)
			}
			for _, a := range got {
				if !strings.Contains(body(r), "**"+a+"**") || !strings.Contains(r.Public, "**"+a+"**") {
					t.Errorf("agent %q missing from Step 5 card or public line", a)
				}
			}
		})
	}
}

func TestHostileAgentNames(t *testing.T) {
	s, m := newService(t)
	input := "<!channel>\nEvil @{UEVIL} Co\n[x](http://evil)\nTick `{cmd} reset`"
	var seen []Reply
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted")
	for _, label := range []string{"CAT Reporting Agent", "Test relationships saved", "Agent certified", "Agent certified", "Agent certified", "Agent certified", "Certification requested", "FINRA CAT certified the firm", "Production entitlements granted"} {
		card = press(t, s, card, label, "U1", input)
		seen = append(seen, card)
	}
	seen = append(seen, command(t, s, "U1", "history"), command(t, s, "U1", "status"))
	if len(stored(m).Agents()) != 4 {
		t.Fatalf("agents %q", stored(m).Agents())
	}
	titles := []string{"Step 5", "Step 6(A)", "Step 6(A)", "Step 6(A)", "Step 6(A)", "Step 6(A)", "Step 6(A)", "Step 6(B)", "Step 6(C)"}
	namesNoAgents := map[int]bool{6: true, 7: true} // FINRA's part of 6(A), and 6(B)
	for i, r := range seen {
		text := allText(r)
		for _, bad := range []string{"@{UEVIL}", "[x](", "`{cmd} reset`"} {
			if strings.Contains(text, bad) {
				t.Errorf("reply %q carries %q live:\n%s", r.Title, bad, text)
			}
		}
		if i < len(titles) && !namesNoAgents[i] && !strings.Contains(text, "**<!channel>**") {
			t.Errorf("%s card does not name the agents (as text):\n%s", titles[i], text)
		}
	}
	if !strings.Contains(seen[0].Public, "[x]\u200b(http://evil)") {
		t.Errorf("public line %q does not show the name literally", seen[0].Public)
	}
}

func TestParseCommand(t *testing.T) {
	long := "help " + strings.Repeat("x", MaxCommandLen)
	tests := []struct {
		in, name, args, raw string
	}{
		{"", CmdNext, "", ""},
		{"   ", CmdNext, "", ""},
		{"next", CmdNext, "", "next"},
		{"STATUS", CmdStatus, "", "STATUS"},
		{"  Status  ", CmdStatus, "", "  Status  "},
		{"History", CmdHistory, "", "History"},
		{"export", CmdExport, "", "export"},
		{"verify", CmdVerify, "", "verify"},
		{"deadlines", CmdDeadlines, "", "deadlines"},
		{"Deadline  6A\t2027-06-05 ", CmdDeadline, "6A|2027-06-05", "Deadline  6A\t2027-06-05 "},
		{"announce OFF", CmdAnnounce, "OFF", "announce OFF"},
		{"undo", CmdUndo, "", "undo"},
		{"RESET", CmdReset, "", "RESET"},
		{"help me", CmdHelp, "me", "help me"},
		{"frobnicate now", CmdUnknown, "", "frobnicate now"},
		{"statuses", CmdUnknown, "", "statuses"},
		{"unknown", CmdUnknown, "", "unknown"},
		{"too_long", CmdUnknown, "", "too_long"},
		{"\xffstatus", CmdUnknown, "", "?status"},
		{"status \xc3", CmdUnknown, "", "status ?"},
		{strings.Repeat(" ", MaxCommandLen-4) + "help", CmdHelp, "", strings.Repeat(" ", MaxCommandLen-4) + "help"},
		{long, CmdTooLong, "", "help " + strings.Repeat("x", 35) + "…"},
		{strings.Repeat("\xff", 300), CmdTooLong, "", "?…"},
		{strings.Repeat("é", 150), CmdTooLong, "", strings.Repeat("é", 20) + "…"},
	}
	for _, tc := range tests {
		c := ParseCommand(tc.in)
		if c.Name != tc.name || strings.Join(c.Args, "|") != tc.args || c.Raw != tc.raw {
			t.Errorf("ParseCommand(%q) = %q %q %q, want %q %q %q", tc.in, c.Name, c.Args, c.Raw, tc.name, tc.args, tc.raw)
		}
	}
}

func TestHelpAndUnknown(t *testing.T) {
	s, m := newService(t)
	help := body(command(t, s, "U1", "help"))
	for name := range commandNames {
		want := "`{cmd} " + name
		if name == CmdNext {
			want = "`{cmd}`"
		}
		if name == CmdDeadline {
			want = "`{cmd} deadline <step> <YYYY-MM-DD>`"
		}
		if !strings.Contains(help, want) {
			t.Errorf("help does not list %q:\n%s", name, help)
		}
	}
	if !strings.Contains(help, "announce off") || strings.Contains(help, "Unknown command") {
		t.Errorf("help:\n%s", help)
	}
	for _, in := range []string{"frobnicate", "Frobnicate @{UEVIL}", "\xfe"} {
		text := body(command(t, s, "U1", in))
		if !strings.Contains(text, "Unknown command") || !strings.Contains(text, "`{cmd} status`") || strings.Contains(text, "@{UEVIL}") {
			t.Errorf("%q: reply\n%s", in, text)
		}
	}
	if text := body(command(t, s, "U1", strings.Repeat("a", 201))); !strings.Contains(text, "at most 200 characters") {
		t.Errorf("too long: %s", text)
	}
	unchanged(t, m, Progress{}, 0)
}
