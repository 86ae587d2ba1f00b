package dialogs

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Step 6(A) for firms that use CAT Reporting Agents is three parts, as
// the roadmap has it: every agent certified (a per-agent step, one card
// and one confirmation per agent, in turn), then the firm asks the CAT
// Helpdesk to certify it, then FINRA CAT certifies it; 6(B) starts only
// upon that certification. Progress written when 6(A) was one click keeps
// that click, shown as it was and counting for the parts it stood for
// (the step's retired answer).

// pendingAgents lists the agents the firm named that a per-agent step
// has not yet confirmed, in the order the firm named them.
func pendingAgents(p Progress, s *Step) []string {
	done := map[string]bool{}
	for _, c := range p.Path {
		if c.Step == s.ID && c.Agent != "" {
			done[strings.ToLower(c.Agent)] = true
		}
	}
	var out []string
	for _, a := range p.Agents() {
		if !done[strings.ToLower(a)] {
			out = append(out, a)
		}
	}
	return out
}

// perAgent fills in a per-agent step's confirmation: the agent it is
// about, and whether the step stays current for the next agent.
func perAgent(p Progress, s *Step, conf *Confirmation, next *Progress) {
	pending := pendingAgents(p, s)
	if len(pending) == 0 {
		return // no agent named (a replaced roadmap): the click moves on
	}
	conf.Agent = pending[0]
	if len(pending) > 1 {
		next.Current = s.ID
	}
}

// agentProgress is "Agent 2 of 3" for the card of a per-agent step.
func agentProgress(p Progress, s *Step) string {
	all, pending := len(p.Agents()), len(pendingAgents(p, s))
	if all == 0 {
		return "Your agents"
	}
	return fmt.Sprintf("Agent %d of %d", all-pending+1, all)
}

// fillAgent substitutes the next agent of a per-agent step.
func (f *Flow) fillAgent(text string, p Progress, s *Step) string {
	if !s.PerAgent {
		return text
	}
	agent := "your CAT Reporting Agent"
	if pending := pendingAgents(p, s); len(pending) > 0 {
		agent = Lit(pending[0])
	}
	text = strings.ReplaceAll(text, "{agent_progress}", agentProgress(p, s))
	return strings.ReplaceAll(text, "{agent}", agent)
}

// doneText is what confirming c records, with the agent of a per-agent
// confirmation named.
func doneText(c *Choice, conf Confirmation) string {
	return strings.ReplaceAll(c.Done, "{agent}", "**"+Name(conf.Agent)+"**")
}

// confirmation is the confirmation that stands for step s: its own, or a
// retired answer of another step that covered it. legacy names that
// retired answer's note.
func (f *Flow) confirmation(p Progress, s *Step) (c Confirmation, legacy string, ok bool) {
	if c, ok := p.Confirmed(s.ID); ok {
		return c, "", true
	}
	for i := len(p.Path) - 1; i >= 0; i-- {
		old, ok := f.Roadmap.Step(p.Path[i].Step)
		if !ok {
			continue
		}
		for _, r := range old.Retired {
			if r.ID == p.Path[i].Choice && slices.Contains(r.Covers, s.ID) {
				return p.Path[i], r.Note, true
			}
		}
	}
	return Confirmation{}, "", false
}

// agentsConfirmed is "2 of 3 agents certified" for status, while a
// per-agent step is under way.
func (f *Flow) agentsConfirmed(p Progress, s *Step) string {
	all := len(p.Agents())
	line := fmt.Sprintf("%d of %d agents certified so far", all-len(pendingAgents(p, s)), all)
	if done := f.agentConfirmations(p, s); done != "" {
		line += ": " + done
	}
	return line
}

// agentConfirmations names who confirmed a per-agent step for each agent
// the firm names now, in the order they were confirmed, so status says
// which agents are certified and not only how many.
func (f *Flow) agentConfirmations(p Progress, s *Step) string {
	named := map[string]bool{}
	for _, a := range p.Agents() {
		named[strings.ToLower(a)] = true
	}
	var parts []string
	for _, c := range p.Path {
		if c.Step != s.ID || c.Agent == "" || !named[strings.ToLower(c.Agent)] {
			continue
		}
		delete(named, strings.ToLower(c.Agent)) // a later pass repeats none
		parts = append(parts, fmt.Sprintf("“%s” confirmed by %s on %s%s", Name(c.Agent), Mention(c.User), f.Stamp(c.At), f.approvedText(c)))
	}
	return strings.Join(parts, "; ")
}

// choiceForm opens a choice's form, or reads what was submitted with it:
// the agents form (one name per line) into conf, a form with fields into
// values. ask is the form to show again (first, or with a problem).
func (f *Flow) choiceForm(c *Choice, ev Event, conf *Confirmation) (values map[string]string, ask *Reply) {
	if c.Form == "" {
		return nil, nil
	}
	form := f.Roadmap.Forms[c.Form]
	r := Reply{Title: form.Title, Form: &form, FormToken: ev.Token.String()}
	if !ev.Submitted {
		return nil, &r
	}
	if form.Multi() {
		v, problem := readFields(form, ev.Values)
		if _, read := v[WaitFollowUp]; read {
			problem = problem.with(followUpDayProblem(v[WaitFollowUp], ev.At.In(f.Loc)))
		}
		if problem != nil {
			problem.into(&r)
			return nil, &r
		}
		return v, nil
	}
	agents, problem := ParseAgents(ev.Input)
	if problem != "" {
		r.FormError = problem
		return nil, &r
	}
	conf.Agents = agents
	return nil, nil
}

// followUpProblem refuses a follow-up date that has passed; none is fine.
func followUpProblem(day string, today time.Time) *formProblem {
	if day == "" {
		return nil
	}
	d, _ := ParseDay(day)
	if daysBetween(today, d) < 0 {
		return &formProblem{Field: WaitFollowUp, Message: longDate(d) + " has already passed. Choose today or a later date."}
	}
	return nil
}

// followUpDayProblem is followUpProblem for a wait's follow-up, which is a
// reminder at AnnounceHour: once today's reminders have gone out, today
// would never be reminded.
func followUpDayProblem(day string, now time.Time) *formProblem {
	if p := followUpProblem(day, now); p != nil || day == "" {
		return p
	}
	if d, _ := ParseDay(day); daysBetween(now, d) == 0 && now.Hour() >= AnnounceHour {
		return &formProblem{Field: WaitFollowUp, Message: fmt.Sprintf("Today's reminders went out at %02d:00 (%s), so a follow-up today would never be sent. Choose tomorrow or a later date.", AnnounceHour, now.Location())}
	}
	return nil
}
