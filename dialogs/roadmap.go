package dialogs

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed roadmap.yaml
var embedded []byte

// Roadmap is the onboarding guide as data: steps, choices, branches,
// outcomes, dates and contacts.
type Roadmap struct {
	// Version names this text of the roadmap; Reviewed is the date
	// (YYYY-MM-DD) its content was last checked against its sources. Both
	// are optional in a replacement file: Warnings names what is missing.
	Version  string          `yaml:"version"`
	Reviewed string          `yaml:"reviewed"`
	Title    string          `yaml:"title"`
	Source   string          `yaml:"source"`
	Start    string          `yaml:"start"`
	Helpdesk Helpdesk        `yaml:"helpdesk"`
	Dates    []Date          `yaml:"dates"`
	Forms    map[string]Form `yaml:"forms"`
	Steps    []Step          `yaml:"steps"`
	Outcomes []Step          `yaml:"outcomes"`

	byID map[string]*Step
	// reach is reachable(id) for every step and outcome, computed once
	// validation has passed: the announcer asks it for every firm it
	// plans and every reminder it renders. Read only.
	reach map[string]map[string]bool
	// text is the YAML the roadmap was parsed from, sum its SHA-256 (hex);
	// see roadmap_ref.go.
	text []byte
	sum  string
}

// Helpdesk is who to call on every "Not sure" and "Need help" path.
type Helpdesk struct {
	Phone string `yaml:"phone"`
	Email string `yaml:"email"`
}

// Date is a roadmap date: a milestone, or a deadline by which the firm
// must have confirmed one of Steps.
type Date struct {
	ID    string   `yaml:"id"`
	Kind  string   `yaml:"kind"` // milestone | deadline
	Label string   `yaml:"label"`
	Date  string   `yaml:"date"` // YYYY-MM-DD
	Steps []string `yaml:"steps"`
	// Passed is what the bot says once the date is history and the firm
	// has not finished its steps (e.g. whom to contact now).
	Passed string `yaml:"passed"`
}

// Form asks the user for free text before a choice is recorded: one
// multiline text (Label, Hint, Placeholder) or, when Fields is set,
// several typed fields (see form.go).
type Form struct {
	Title       string  `yaml:"title"`
	Submit      string  `yaml:"submit"`
	Label       string  `yaml:"label"`
	Hint        string  `yaml:"hint"`
	Placeholder string  `yaml:"placeholder"`
	Fields      []Field `yaml:"fields,omitempty"`
}

// Step is a roadmap step or, in Outcomes, an end of a path.
type Step struct {
	ID      string   `yaml:"id"`
	Number  string   `yaml:"number"`
	Title   string   `yaml:"title"`
	Text    string   `yaml:"text"`
	Notes   []Note   `yaml:"notes"`
	Refs    []string `yaml:"refs"`
	Dates   []string `yaml:"dates"`
	Help    bool     `yaml:"help"`
	Choices []Choice `yaml:"choices"`
	// PerAgent: the step is confirmed once for each CAT Reporting Agent
	// the firm named, one card per agent in turn; it stays current until
	// the last one (the primary choice's Done names the agent as {agent}).
	PerAgent bool `yaml:"per_agent"`
	// Retired are answers that earlier roadmaps offered on this step and
	// stored progress may still hold.
	Retired []Retired `yaml:"retired"`
	// Obligations are what continues after an outcome (ongoing
	// reporting duties), each with its source and as-of date.
	Obligations []Note `yaml:"obligations"`

	outcome bool
}

// Retired is an answer an earlier roadmap offered: how to show it, and
// the steps that one click of it stood for, which count as confirmed by it.
type Retired struct {
	ID     string   `yaml:"id"`
	Label  string   `yaml:"label"`
	Covers []string `yaml:"covers"`
	Note   string   `yaml:"note"`
}

// Choice is one answer button on a step's card.
type Choice struct {
	ID      string `yaml:"id"`
	Label   string `yaml:"label"`
	Primary bool   `yaml:"primary"`
	// Next is the step or outcome the answer leads to; empty keeps the
	// firm on the step (help paths).
	Next  string `yaml:"next"`
	Help  bool   `yaml:"help"`
	Reply string `yaml:"reply"`
	Form  string `yaml:"form"`
	// Done says in words what confirming this choice records.
	Done string `yaml:"done"`
	// Confirm, when set, asks the user before the answer is recorded.
	Confirm *Confirm `yaml:"confirm"`
	// WaitsOn, when set, starts a wait on the next step, on this party
	// (6(A): FINRA CAT, after the firm asked to be certified); the choice's
	// form may give its "ref" and "follow_up".
	WaitsOn string `yaml:"waits_on"`
	// Approval marks an answer that needs a second signature when
	// CAIS_PRINCIPALS is set (maker-checker, approval.go): confirming it
	// submits it, and it takes effect only when a principal other than
	// the person who confirmed approves it. A help answer, an outcome's
	// answer and a per-agent step's answers cannot carry it.
	Approval bool `yaml:"approval"`
}

// Heading is how the step is named everywhere: "Step 4: …".
func (s *Step) Heading() string {
	if s.outcome {
		return s.Title
	}
	return "Step " + s.Number + ": " + s.Title
}

// Short is "Step 4" (or the outcome title).
func (s *Step) Short() string {
	if s.outcome {
		return s.Title
	}
	return "Step " + s.Number
}

// IsOutcome tells an end of a path from a step.
func (s *Step) IsOutcome() bool { return s.outcome }

// Choice returns the step's choice with that id.
func (s *Step) Choice(id string) (*Choice, bool) {
	for i := range s.Choices {
		if s.Choices[i].ID == id {
			return &s.Choices[i], true
		}
	}
	return nil, false
}

// Default returns the embedded roadmap. It is validated by tests, so a
// failure here is a build defect.
func Default() *Roadmap {
	r, err := Parse(embedded)
	if err != nil {
		panic("embedded roadmap: " + err.Error())
	}
	return r
}

// LoadFile reads and validates a roadmap that replaces the embedded one.
func LoadFile(path string) (*Roadmap, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

// Parse decodes a roadmap strictly (unknown fields are errors) and
// validates it.
func Parse(b []byte) (*Roadmap, error) {
	var r Roadmap
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("roadmap: %w", err)
	}
	if err := r.validate(); err != nil {
		return nil, fmt.Errorf("roadmap: %w", err)
	}
	r.remember(b)
	return &r, nil
}

// Step finds a step or outcome by id.
func (r *Roadmap) Step(id string) (*Step, bool) {
	s, ok := r.byID[id]
	return s, ok
}

// Date finds a roadmap date by id.
func (r *Roadmap) Date(id string) (Date, bool) {
	for _, d := range r.Dates {
		if d.ID == id {
			return d, true
		}
	}
	return Date{}, false
}

// lastPart is the last step numbered as s is (6(A)'s parts share
// "6(A)"; a step alone is its own last part): a target date set for s is
// met only when that one is confirmed.
func (r *Roadmap) lastPart(s *Step) string {
	last := s.ID
	for i := range r.Steps {
		if r.Steps[i].Number == s.Number {
			last = r.Steps[i].ID
		}
	}
	return last
}

// StepByNumber resolves what a user types ("6A", "6(a)", "step 2").
func (r *Roadmap) StepByNumber(s string) (*Step, bool) {
	norm := func(x string) string {
		x = strings.ToUpper(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(x)), "step"))
		return strings.NewReplacer("(", "", ")", "", " ", "").Replace(x)
	}
	want := norm(s)
	for i := range r.Steps {
		if norm(r.Steps[i].Number) == want || r.Steps[i].ID == s {
			return &r.Steps[i], true
		}
	}
	return nil, false
}
