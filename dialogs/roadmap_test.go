package dialogs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// miniRoadmap is the smallest valid roadmap: Step 1 → Step 2 → outcome.
// Each validation case below breaks it in one place.
const miniRoadmap = `title: Mini
source: test
start: a
helpdesk: {phone: "888-696-3348", email: "help@finracat.com"}
dates:
  - {id: d1, kind: deadline, label: "Due", date: "2024-05-31", steps: [b]}
forms:
  f: {title: "Agents", label: "Which agents?"}
steps:
  - id: a
    number: "1"
    title: "First"
    dates: [d1]
    choices:
      - {id: "yes", label: "Yes", primary: true, next: b}
      - {id: help, label: "Need help", help: true}
  - id: b
    number: "2"
    title: "Second"
    choices:
      - {id: done, label: "Done", primary: true, next: end, form: f}
outcomes:
  - id: end
    title: "The end"
`

// stepC is a third step, appended after step b.
const stepC = `  - id: c
    number: "3"
    title: "Third"
    choices:
      - {id: done, label: "Done", next: %NEXT%}
outcomes:`

// edit applies replacements to miniRoadmap; each old text must occur.
func edit(t *testing.T, repl ...string) string {
	t.Helper()
	y := miniRoadmap
	for i := 0; i+1 < len(repl); i += 2 {
		if !strings.Contains(y, repl[i]) {
			t.Fatalf("test bug: %q not in the mini roadmap", repl[i])
		}
		y = strings.Replace(y, repl[i], repl[i+1], 1)
	}
	return y
}

func withC(next string) string { return strings.ReplaceAll(stepC, "%NEXT%", next) }

func TestEmbeddedRoadmapIsValid(t *testing.T) {
	r, err := Parse(embedded)
	if err != nil {
		t.Fatalf("embedded roadmap: %v", err)
	}
	if s, ok := r.Step(r.Start); !ok || s.IsOutcome() {
		t.Fatalf("start %q is not a step", r.Start)
	}
	if _, err := Parse([]byte(miniRoadmap)); err != nil {
		t.Fatalf("mini roadmap must be valid: %v", err)
	}
}

// roadmapFault breaks miniRoadmap with edits (old, new pairs, as edit
// takes them); Parse must refuse it with an error holding every want.
type roadmapFault struct {
	name  string
	edits []string
	want  []string // every fragment must appear in the error
}

var roadmapFaults = []roadmapFault{
	{"choice leads to a missing step", []string{"next: end, form: f", "next: nowhere, form: f"},
		[]string{`step "b" choice "done"`, `"nowhere"`, "does not exist"}},
	{"unreachable step", []string{"outcomes:", withC("end")},
		[]string{`step "c"`, "cannot be reached", `start "a"`}},
	{"dead end: a cycle that never reaches an outcome",
		[]string{"next: end, form: f", "next: c, form: f",
			`- {id: help, label: "Need help", help: true}`, `- {id: "no", label: "No", next: end}`,
			"outcomes:", withC("b")},
		[]string{`step "c"`, `step "b"`, "dead end", "no path from it reaches an outcome"}},
	{"step without choices is a dead end", []string{"      - {id: done, label: \"Done\", primary: true, next: end, form: f}\n", "",
		`- {id: help, label: "Need help", help: true}`, `- {id: "no", label: "No", next: end}`},
		[]string{`step "b"`, "dead end"}},
	{"duplicate step ids", []string{"- id: b", "- id: a"},
		[]string{`step "a"`, "id is used twice"}},
	{"step and outcome share an id", []string{"- id: end", "- id: b", "next: end,", "next: b,"},
		[]string{`step "b"`, "id is used twice"}},
	{"duplicate choice ids", []string{"{id: help,", "{id: \"yes\","},
		[]string{`step "a" choice "yes"`, "unique id"}},
	{"two primary choices", []string{`label: "Need help", help: true}`, `label: "Need help", help: true, primary: true}`},
		[]string{`step "a"`, "2 primary choices", "at most one"}},
	{"unknown field (strict decoding)", []string{`title: "Second"`, "title: \"Second\"\n    colour: red"},
		[]string{"colour", "not found", "line"}},
	{"unknown top-level field", []string{"source: test", "source: test\nedition: 2"},
		[]string{"edition", "not found"}},
	{"bad date", []string{`"2024-05-31"`, `"2024-13-01"`},
		[]string{`dates[0] "d1"`, `"2024-13-01"`, "not YYYY-MM-DD"}},
	{"date in another format", []string{`"2024-05-31"`, `"May 31, 2024"`},
		[]string{`"d1"`, "not YYYY-MM-DD"}},
	{"date kind", []string{"kind: deadline", "kind: someday"},
		[]string{`"d1"`, "milestone or deadline", `"someday"`}},
	{"date names a missing step", []string{"steps: [b]", "steps: [zz]"},
		[]string{`dates[0] "d1"`, `step "zz"`, "does not exist"}},
	{"step names a missing date", []string{"dates: [d1]", "dates: [d9]"},
		[]string{`step "a"`, `date "d9"`, "does not exist"}},
	{"form that does not exist", []string{"form: f", "form: g"},
		[]string{`step "b" choice "done"`, `form "g"`, "not defined"}},
	{"start is an outcome", []string{"start: a", "start: end"},
		[]string{"start", `"end"`, "is not a step"}},
	{"start is missing", []string{"start: a", "start: zz"},
		[]string{"start", `"zz"`, "is not a step"}},
	{"no start", []string{"start: a\n", ""},
		[]string{"start", `""`, "is not a step"}},
	{"choice with no next that is not help", []string{`, help: true}`, "}"},
		[]string{`step "a" choice "help"`, "no next step"}},
	{"step without number", []string{`number: "2"`, `number: ""`},
		[]string{`step "b"`, "has no number"}},
	{"step without title", []string{`title: "Second"`, `title: ""`},
		[]string{`step "b"`, "has no title"}},
	{"step without id", []string{"- id: b", "- id: \"\""},
		[]string{`step "Second"`, "has no id"}},
	{"label too long", []string{`label: "Done"`, `label: "` + strings.Repeat("x", 76) + `"`},
		[]string{`step "b" choice "done"`, "longer than 75"}},
	{"no helpdesk", []string{`helpdesk: {phone: "888-696-3348", email: "help@finracat.com"}`, `helpdesk: {phone: "888-696-3348"}`},
		[]string{"helpdesk", "phone and email"}},
	{"retired answer covers a missing step", []string{"    choices:\n      - {id: done,", "    retired:\n      - {id: old, label: \"Old\", covers: [zz]}\n    choices:\n      - {id: done,"},
		[]string{`step "b" retired answer "old"`, `covers "zz"`, "does not exist"}},
	{"retired answer that is still a choice", []string{"    choices:\n      - {id: done,", "    retired:\n      - {id: done, label: \"Old\"}\n    choices:\n      - {id: done,"},
		[]string{`step "b" retired answer "done"`, "still a choice"}},
	{"per-agent step without a primary answer", []string{`title: "First"`, "title: \"First\"\n    per_agent: true", `{id: "yes", label: "Yes", primary: true, next: b}`, `{id: "yes", label: "Yes", next: b}`},
		[]string{`step "a"`, "per_agent", "no primary answer"}},
	{"approval on a help answer", []string{`label: "Need help", help: true}`, `label: "Need help", help: true, approval: true}`},
		[]string{`step "a" choice "help"`, "approval", "not a help answer"}},
	{"approval on an outcome's answer", []string{"    title: \"The end\"\n", "    title: \"The end\"\n    choices:\n      - {id: back, label: \"Back\", next: a, approval: true}\n"},
		[]string{`step "end" choice "back"`, "approval", "an outcome's answer"}},
	{"approval on a per-agent step", []string{`title: "First"`, "title: \"First\"\n    per_agent: true", `primary: true, next: b}`, `primary: true, next: b, approval: true}`},
		[]string{`step "a" choice "yes"`, "approval", "per_agent"}},
	{"a wait started by a per-agent step's answer", []string{`title: "First"`, "title: \"First\"\n    per_agent: true", `primary: true, next: b}`, `primary: true, next: b, waits_on: "FINRA CAT"}`},
		[]string{`step "a" choice "yes"`, "waits_on", "per_agent"}},
}

func TestParseRefusesFaults(t *testing.T) {
	type parseCase struct {
		name string
		yaml string
		want []string // every fragment must appear in the error
	}
	var tests []parseCase
	for _, f := range roadmapFaults {
		tests = append(tests, parseCase{f.name, edit(t, f.edits...), f.want})
	}
	tests = append(tests,
		parseCase{"not YAML", "steps: [", []string{"roadmap:", "yaml"}},
		parseCase{"empty", "", []string{"roadmap:"}},
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.yaml))
			if err == nil {
				t.Fatalf("Parse accepted a faulty roadmap (start %q)", r.Start)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte(miniRoadmap), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(edit(t, "start: a", "start: zz")), 0o600); err != nil {
		t.Fatal(err)
	}
	if r, err := LoadFile(good); err != nil || r.Start != "a" {
		t.Errorf("LoadFile(good) = %v, %v", r, err)
	}
	if _, err := LoadFile(bad); err == nil || !strings.Contains(err.Error(), "start") {
		t.Errorf("LoadFile(bad) error = %v, want one naming start", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("LoadFile(missing) succeeded")
	}
}

func TestStepByNumber(t *testing.T) {
	r := Default()
	tests := []struct{ in, want string }{
		{"1", "obligation"},
		{"2", "register"},
		{"step 2", "register"},
		{"Step 3", "test_entitlements"},
		{" 4 ", "method"},
		{"5", "relationship_test"},
		{"6", "certify_self"},
		{"6A", "certify_agent_request"},
		{"6a", "certify_agent_request"},
		{"6(a)", "certify_agent_request"},
		{"6(A)", "certify_agent_request"},
		{"6 (A)", "certify_agent_request"},
		{"6B", "prod_entitlements"},
		{"6(c)", "relationship_prod"},
		{"certify_self", "certify_self"},
		{"7", ""},
		{"6D", ""},
		{"", ""},
		{"no_obligation", ""}, // outcomes have no target dates
	}
	for _, tc := range tests {
		s, ok := r.StepByNumber(tc.in)
		got := ""
		if ok {
			got = s.ID
		}
		if got != tc.want {
			t.Errorf("StepByNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHeadings(t *testing.T) {
	r := Default()
	for _, tc := range []struct{ id, heading, short string }{
		{"obligation", "Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS", "Step 1"},
		{"certify_agent_request", "Step 6(A): Certify for Full CAIS Production — your CAT Reporting Agents certified", "Step 6(A)"},
		{"complete", "CAIS onboarding complete", "CAIS onboarding complete"},
	} {
		s, ok := r.Step(tc.id)
		if !ok {
			t.Fatalf("no step %q", tc.id)
		}
		if s.Heading() != tc.heading || s.Short() != tc.short {
			t.Errorf("%s: Heading %q Short %q, want %q %q", tc.id, s.Heading(), s.Short(), tc.heading, tc.short)
		}
	}
}
