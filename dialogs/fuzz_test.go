package dialogs

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Seed corpora live in testdata/fuzz/<FuzzName>/; `go test` replays them.
// Run a fuzzer with: go test -run='^$' -fuzz=FuzzParseToken ./dialogs/

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"", "status", "Deadline 6A 2027-06-05", "announce OFF", "\xff", strings.Repeat("é", 101)} {
		f.Add(s)
	}
	fl := newFlow()
	f.Fuzz(func(t *testing.T, text string) {
		c := ParseCommand(text)
		if !utf8.ValidString(c.Raw) {
			t.Errorf("Raw %q is not valid UTF-8", c.Raw)
		}
		switch {
		case len(text) > MaxCommandLen:
			if c.Name != CmdTooLong || len(c.Raw) > 40+len("…") {
				t.Errorf("long input: %q %q", c.Name, c.Raw)
			}
			return
		case !utf8.ValidString(text):
			if c.Name != CmdUnknown {
				t.Errorf("invalid UTF-8 parsed as %q", c.Name)
			}
		case c.Name == CmdUnknown:
			if w := strings.Fields(text); len(w) == 0 || commandNames[strings.ToLower(w[0])] || c.Raw != text {
				t.Errorf("%q wrongly unknown", text)
			}
		default:
			w := strings.Fields(text)
			if len(w) == 0 {
				if c.Name != CmdNext || len(c.Args) != 0 {
					t.Errorf("blank input parsed as %q %q", c.Name, c.Args)
				}
				return
			}
			if !commandNames[c.Name] || c.Name != strings.ToLower(w[0]) || !slices.Equal(c.Args, w[1:]) || c.Raw != text {
				t.Errorf("%q parsed as %+v", text, c)
			}
		}
		if c.Name == CmdUnknown {
			if h := body(fl.Help(c.Raw)); !strings.Contains(h, "Unknown command") || strings.Contains(h, "@{") {
				t.Errorf("help for %q:\n%s", c.Raw, h)
			}
		}
	})
}

func FuzzParseToken(f *testing.F) {
	for _, s := range []string{
		"c1|choose|obligation|yes|0", "c1|open|||7", "c1|reset|||12", "c1|cancel|||3",
		"c1|approve|method|agent|9", "c1|send_back|method|agent|9",
		"c1|choose|a|b|+5", "c1|choose|a|b|05", "c1|choose|a|b|-0", "c1|choose|a|b|c|1", "c2|open|||1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseToken(s)
		if err != nil {
			return
		}
		if got := tok.String(); got != s {
			t.Fatalf("ParseToken(%q) = %+v, which encodes as %q", s, tok, got)
		}
		if again, err := ParseToken(tok.String()); err != nil || again != tok {
			t.Fatalf("re-parse of %q: %+v, %v", s, again, err)
		}
		if tok.Version < 0 || len(s) > MaxTokenLen {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzParseRoadmap(f *testing.F) {
	f.Add(embedded)
	f.Add([]byte(miniRoadmap))
	f.Add([]byte(strings.Replace(miniRoadmap, "next: end, form: f", "next: a, form: f", 1)))
	f.Add([]byte("start: a\nsteps: [{id: a, number: '1', title: A, choices: [{id: x, label: X, next: a}]}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err != nil {
			if r != nil {
				t.Fatal("Parse returned a roadmap with an error")
			}
			return
		}
		start, ok := r.Step(r.Start)
		if !ok || start.IsOutcome() {
			t.Fatalf("valid roadmap whose start %q is not a step", r.Start)
		}
		if r.Helpdesk.Phone == "" || r.Helpdesk.Email == "" {
			t.Fatal("valid roadmap without a Helpdesk")
		}
		fl := &Flow{Roadmap: r, Admins: []string{admin}, Loc: nyc}
		for _, s := range r.all() {
			primaries := 0
			for _, c := range s.Choices {
				if c.Next != "" {
					if _, ok := r.Step(c.Next); !ok {
						t.Fatalf("step %q choice %q leads nowhere", s.ID, c.ID)
					}
				}
				if c.Primary {
					primaries++
				}
			}
			if primaries > 1 {
				t.Fatalf("step %q has %d primary choices", s.ID, primaries)
			}
			p := Progress{Current: s.ID, Targets: map[string]string{s.ID: "2027-01-01"}}
			if card := fl.Card(p, t0); card.Title != s.Heading() {
				t.Fatalf("card title %q, want %q", card.Title, s.Heading())
			}
			fl.Status(p, t0)
			fl.DeadlinesReply(p, t0)
		}
	})
}

func FuzzParseAgents(f *testing.F) {
	for _, s := range []string{"", "Acme Clearing", "A\nB,C;D", " a  b \n a b", "<!channel>\n@{UEVIL}\n[x](http://evil)", "@{cmd}", strings.Repeat("x,", 11), strings.Repeat("y", 101)} {
		f.Add(s)
	}
	fl := newFlow()
	f.Fuzz(func(t *testing.T, input string) {
		agents, problem := ParseAgents(input)
		if (problem == "") != (len(agents) > 0) {
			t.Fatalf("agents %q with problem %q", agents, problem)
		}
		if problem != "" {
			return
		}
		if len(agents) > 10 {
			t.Fatalf("%d agents accepted", len(agents))
		}
		for i, a := range agents {
			if a == "" || utf8.RuneCountInString(a) > 100 || strings.ContainsAny(a, "\n\r") || !strings.ContainsFunc(a, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) || a != strings.Join(strings.Fields(a), " ") || slices.Index(agents, a) != i {
				t.Fatalf("agent %q accepted as is", a)
			}
			for _, live := range []string{"@{", "](", "{cmd}", "\n"} {
				if strings.Contains(Lit(a), live) {
					t.Fatalf("Lit(%q) = %q keeps %q live", a, Lit(a), live)
				}
			}
		}
		p := Progress{Current: "relationship_test", Path: []Confirmation{{Step: "method", Choice: "agent", User: "U1", At: t0, Agents: agents}}}
		if text := body(fl.Card(p, t0)); strings.Contains(text, "@{") || strings.Contains(text, "{cmd}") {
			t.Fatalf("Step 5 card carries live markup from %q:\n%s", input, text)
		}
	})
}
