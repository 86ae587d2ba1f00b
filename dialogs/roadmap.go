package dialogs

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

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

func (r *Roadmap) validate() error {
	var errs []error
	fail := func(where, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
	}
	if r.Helpdesk.Phone == "" || r.Helpdesk.Email == "" {
		fail("helpdesk", "phone and email are required")
	}
	r.byID = map[string]*Step{}
	for i := range r.Outcomes {
		r.Outcomes[i].outcome = true
	}
	all := r.all()
	for _, s := range all {
		r.checkStep(s, fail)
	}
	if len(errs) == 0 {
		r.checkLinks(all, fail)
	}
	if len(errs) == 0 {
		r.checkGraph(fail)
	}
	for i, d := range r.Dates {
		r.checkDate(fmt.Sprintf("dates[%d] %q", i, d.ID), d, fail)
	}
	r.checkMeta(fail)
	for _, s := range all {
		checkNotes(s, fail)
	}
	return errors.Join(errs...)
}

func (r *Roadmap) all() []*Step {
	var all []*Step
	for i := range r.Steps {
		all = append(all, &r.Steps[i])
	}
	for i := range r.Outcomes {
		all = append(all, &r.Outcomes[i])
	}
	return all
}

func (r *Roadmap) checkStep(s *Step, fail func(string, string, ...any)) {
	where := fmt.Sprintf("step %q", s.ID)
	switch {
	case s.ID == "":
		fail(fmt.Sprintf("step %q", s.Title), "has no id")
		return
	case r.byID[s.ID] != nil:
		fail(where, "id is used twice")
	case s.Title == "":
		fail(where, "has no title")
	case !s.outcome && s.Number == "":
		fail(where, "has no number")
	}
	r.byID[s.ID] = s
	seen := map[string]bool{}
	primaries := 0
	for _, c := range s.Choices {
		cw := fmt.Sprintf("%s choice %q", where, c.ID)
		if c.ID == "" || c.Label == "" || seen[c.ID] {
			fail(cw, "needs a unique id and a label")
		}
		if len(c.Label) > 75 {
			fail(cw, "label is longer than 75 characters")
		}
		seen[c.ID] = true
		if c.Primary {
			primaries++
		}
		if c.Next == "" && !c.Help {
			fail(cw, "has no next step and is not a help answer")
		}
		if fm := r.Forms[c.Form]; c.Form != "" && fm.Label == "" && !fm.Multi() {
			fail(cw, "uses form %q, which is not defined", c.Form)
		}
		if k := c.Confirm; k != nil && (k.Title == "" || k.Text == "" || k.OK == "" || k.Cancel == "") {
			fail(cw+" confirm", "needs title, text, ok and cancel")
		} else if k != nil && (len(k.Title) > 100 || len(k.Text) > 300 || len(k.OK) > 30 || len(k.Cancel) > 30) {
			fail(cw+" confirm", "is longer than Slack shows (title 100, text 300, ok and cancel 30 characters)")
		}
	}
	if primaries > 1 {
		fail(where, "has %d primary choices; at most one", primaries)
	}
}

func (r *Roadmap) checkLinks(all []*Step, fail func(string, string, ...any)) {
	if _, ok := r.byID[r.Start]; !ok || r.byID[r.Start].outcome {
		fail("start", "%q is not a step", r.Start)
	}
	for _, s := range all {
		for _, c := range s.Choices {
			if _, ok := r.byID[c.Next]; c.Next != "" && !ok {
				fail(fmt.Sprintf("step %q choice %q", s.ID, c.ID), "leads to %q, which does not exist", c.Next)
			}
		}
		for _, d := range s.Dates {
			if _, ok := r.Date(d); !ok {
				fail(fmt.Sprintf("step %q", s.ID), "names date %q, which does not exist", d)
			}
		}
		r.checkRetired(s, fail)
	}
}

// checkRetired: a retired answer covers steps that exist, and a per-agent
// step has the primary answer that confirms each agent.
func (r *Roadmap) checkRetired(s *Step, fail func(string, string, ...any)) {
	for _, old := range s.Retired {
		w := fmt.Sprintf("step %q retired answer %q", s.ID, old.ID)
		if old.ID == "" || old.Label == "" {
			fail(w, "needs an id and a label")
		}
		if _, live := s.Choice(old.ID); live {
			fail(w, "is still a choice of the step")
		}
		for _, c := range old.Covers {
			if _, ok := r.byID[c]; !ok {
				fail(w, "covers %q, which does not exist", c)
			}
		}
	}
	if s.PerAgent && !slices.ContainsFunc(s.Choices, func(c Choice) bool { return c.Primary && !c.Help }) {
		fail(fmt.Sprintf("step %q", s.ID), "is per_agent but has no primary answer to confirm each agent")
	}
}

// checkGraph: every step reachable from the start, and every step can
// still reach an outcome (only outcomes end a path).
func (r *Roadmap) checkGraph(fail func(string, string, ...any)) {
	reach := r.reachable(r.Start)
	for _, s := range r.all() {
		if !reach[s.ID] {
			fail(fmt.Sprintf("step %q", s.ID), "cannot be reached from the start %q", r.Start)
		}
	}
	for i := range r.Steps {
		s := &r.Steps[i]
		ends := false
		for id := range r.reachable(s.ID) {
			if r.byID[id].outcome {
				ends = true
			}
		}
		if !ends {
			fail(fmt.Sprintf("step %q", s.ID), "is a dead end: no path from it reaches an outcome")
		}
	}
}

// reachable lists the steps a path from "from" can visit. An outcome's
// own choices (reopen) are followed only when leaving "from" itself.
func (r *Roadmap) reachable(from string) map[string]bool {
	seen := map[string]bool{from: true}
	queue := []string{from}
	for len(queue) > 0 {
		s := r.byID[queue[0]]
		queue = queue[1:]
		if s.outcome && s.ID != from {
			continue
		}
		for _, c := range s.Choices {
			if c.Next != "" && !seen[c.Next] {
				seen[c.Next] = true
				queue = append(queue, c.Next)
			}
		}
	}
	return seen
}

func (r *Roadmap) checkDate(where string, d Date, fail func(string, string, ...any)) {
	if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
		fail(where, "date %q is not YYYY-MM-DD", d.Date)
	}
	if d.Kind != "milestone" && d.Kind != "deadline" {
		fail(where, "kind must be milestone or deadline, not %q", d.Kind)
	}
	for _, s := range d.Steps {
		if _, ok := r.byID[s]; !ok {
			fail(where, "names step %q, which does not exist", s)
		}
	}
}
