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

func TestStatusAfterReopen(t *testing.T) {
	s, _ := newService(t)
	walk(t, s, "No", "Reopen Step 1")
	st := body(command(t, s, "U1", "status"))
	if !lineHas(st, "Step 1", "next") || lineHas(st, "Step 1", "✅") {
		t.Errorf("after reopening, Step 1 must be the next step, not confirmed:\n%s", st)
	}
	if !lineHas(st, "Step 2", "open") {
		t.Errorf("after reopening, Step 2 must be open:\n%s", st)
	}
}

// A roadmap file replaced under stored progress (a step or answer renamed)
// must not crash status, stale clicks or undo.
func TestProgressFromAnOlderRoadmap(t *testing.T) {
	f := newFlow()
	p := Progress{Version: 2, Current: "register", Path: []Confirmation{
		{Step: "obligation", Choice: "oui", User: "U1", At: t0},
	}, Last: &Change{Action: ActConfirm, Step: "obligation", User: "U1", At: t0}}
	ev := Event{User: admin, At: t0, Token: Token{Kind: KindChoose, Step: "obligation", Choice: "yes"}}
	if r := f.Status(p, t0); !strings.Contains(body(r), "oui") {
		t.Errorf("status does not show the stored answer:\n%s", body(r))
	}
	if r := f.Click(p, ev); r.Next != nil || !strings.Contains(body(r.Reply), "already confirmed by @{U1}") {
		t.Errorf("stale click: %s", body(r.Reply))
	}
	p.Path = append(p.Path, Confirmation{Step: "gone", Choice: "done", User: "U1", At: t0})
	if r := f.Undo(p, ev); r.Next == nil || r.Next.Current != "gone" {
		t.Errorf("undo: %+v", r)
	}
}

func TestCardFromBeforeAnUndoIsStale(t *testing.T) {
	s, m := newService(t)
	step1 := command(t, s, "U1", "")
	step2 := press(t, s, step1, "Yes", "U1", "")
	press(t, s, step2, "Registration submitted", "U1", "")
	command(t, s, admin, "undo") // Step 2 is current again
	out := press(t, s, step2, "Registration submitted", "U2", "")
	if !strings.Contains(body(out), "This card is from before @{"+admin+"} reopened Step 2") {
		t.Fatalf("old Step 2 card after undo:\n%s", body(out))
	}
	if n := len(m.entries["F1"]); n != 3 {
		t.Fatalf("audit entries %d, want 3 (the stale click writes none)", n)
	}
	fresh := command(t, s, "U2", "")
	if got := press(t, s, fresh, "Registration submitted", "U2", ""); !strings.HasPrefix(got.Title, "Step 3:") {
		t.Fatalf("a fresh card after undo must work: %q", got.Title)
	}
}

func TestResetPromptFromAnotherStateChangesNothing(t *testing.T) {
	s, m := newService(t)
	card := press(t, s, command(t, s, "U1", ""), "Yes", "U1", "")
	prompt := command(t, s, admin, "reset") // drawn with 1 confirmation
	press(t, s, card, "Registration submitted", "U1", "")
	out := press(t, s, prompt, "Reset all progress", admin, "")
	if !strings.Contains(body(out), "changed since this prompt") || len(m.p["F1"].Path) != 2 {
		t.Fatalf("a stale reset prompt must change nothing:\n%s", body(out))
	}
	fresh := command(t, s, admin, "reset")
	press(t, s, fresh, "Reset all progress", admin, "")
	again := press(t, s, fresh, "Reset all progress", admin, "") // delivered twice
	if n := len(m.entries["F1"]); n != 3 || !strings.Contains(body(again), "changed since this prompt") {
		t.Fatalf("a repeated reset click: %d entries, want 3 (two confirmations, one reset)\n%s", n, body(again))
	}
}

func TestDeadlineForAStepOffThePathIsRefused(t *testing.T) {
	s, m := newService(t)
	card := command(t, s, "U1", "")
	for _, label := range []string{"Yes", "Registration submitted", "Test entitlements granted"} {
		card = press(t, s, card, label, "U1", "")
	}
	press(t, s, card, "Self-report: manual entry", "U1", "")
	before := len(m.entries["F1"])
	if out := body(command(t, s, admin, "deadline 6A 2027-06-05")); !strings.Contains(out, "does not apply") {
		t.Fatalf("6A on a self-reporting firm: %s", out)
	}
	if out := body(command(t, s, admin, "deadline 6 2027-06-05")); !strings.Contains(out, "Target date set") {
		t.Fatalf("6 on a self-reporting firm: %s", out)
	}
	if got := len(m.entries["F1"]) - before; got != 1 {
		t.Fatalf("%d entries, want 1", got)
	}
}

// A settings change after a step was reopened must not be named as what
// made an old card stale.
func TestStaleCardAfterASettingsChange(t *testing.T) {
	s, _ := newService(t)
	step2 := press(t, s, command(t, s, "U1", ""), "Yes", "U1", "")
	press(t, s, step2, "Registration submitted", "U1", "")
	command(t, s, admin, "undo")
	command(t, s, admin, "announce")
	got := body(press(t, s, step2, "Registration submitted", "U2", ""))
	if !strings.Contains(got, "This card is from an earlier visit of Step 2, before it was reopened (latest change: @{"+admin+"} changed the firm's settings (announce) on") {
		t.Fatalf("old Step 2 card after an undo and a subscription:\n%s", got)
	}
}

func TestResetPromptCountsConfirmations(t *testing.T) {
	s, _ := newService(t)
	press(t, s, command(t, s, "U1", ""), "Yes", "U1", "")
	if got := body(command(t, s, admin, "reset")); !strings.Contains(got, "(1 confirmation so far)") {
		t.Fatalf("reset prompt after one confirmation:\n%s", got)
	}
	if plural(0, "step") != "0 steps" || plural(2, "step") != "2 steps" {
		t.Fatal("plural")
	}
}

// Changed marks exactly the replies that follow a commit.
func TestReplyChangedOnlyAfterACommit(t *testing.T) {
	s, _ := newService(t)
	card := command(t, s, "U1", "")
	for _, c := range []struct {
		name string
		r    Reply
		want bool
	}{
		{"next", card, false},
		{"status", command(t, s, "U1", "status"), false},
		{"not an admin", command(t, s, "U1", "announce"), false},
		{"announce", command(t, s, admin, "announce"), true},
		{"confirm", press(t, s, card, "Yes", "U1", ""), true},
		{"stale click", press(t, s, card, "Yes", "U2", ""), false},
	} {
		if c.r.Changed != c.want {
			t.Errorf("%s: Changed %v, want %v", c.name, c.r.Changed, c.want)
		}
	}
}
