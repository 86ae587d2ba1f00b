package dialogs

import (
	"errors"
	"fmt"
	"time"
)

// The roadmap validator: every fault named by its path, so a replaced
// roadmap file is refused at start-up with a line that says where.

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
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	r.reach = make(map[string]map[string]bool, len(all))
	for _, s := range all {
		r.reach[s.ID] = r.reachable(s.ID)
	}
	return nil
}

// ahead is reachable(from) as validation computed it; callers must not
// change it.
func (r *Roadmap) ahead(from string) map[string]bool {
	if set, ok := r.reach[from]; ok {
		return set
	}
	return r.reachable(from)
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
		if c.Approval && (c.Help || s.outcome || s.PerAgent) {
			fail(cw, "approval is for an answer that confirms a step: not a help answer, an outcome's answer or a per_agent step's")
		}
		if c.WaitsOn != "" && s.PerAgent {
			// The firm stays on the step until its last agent, so a wait
			// started on the next step would never be followed up.
			fail(cw, "waits_on is for an answer that moves the firm on: not a per_agent step's")
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
	if s.PerAgent && primaryChoice(s) == nil {
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
