package dialogs

import (
	"fmt"
	"slices"
	"strings"
)

// A change to the firm's agents must keep 6(A) truthful: every named
// agent has its own confirmation before the firm asks to be certified.
// So an agent added after the last agent was confirmed, before the
// request, sends the firm back to the per-agent step for it; removing
// the last agent still to confirm moves the firm on to the request, as
// its confirmation would have; and once the request is recorded (or
// awaits approval) no agent may be added, since the request said all of
// them had certified. The entry names a move ("; back to: <step>" or
// "; on to: <step>") so that replay reads it rather than guesses it.

const (
	agentsBackTo = "; back to: "
	agentsOnTo   = "; on to: "
)

// settleAgents applies the edit's consequences for each per-agent step to
// next (progress with the new list); it returns the entry's move suffix,
// or a refusal (nothing changes) when an agent is added too late.
func (f *Flow) settleAgents(p Progress, next *Progress, added []string) (move, refusal string) {
	for i := range f.Roadmap.Steps {
		s := &f.Roadmap.Steps[i]
		c := primaryChoice(s)
		if !s.PerAgent || c == nil {
			continue
		}
		confirmed := slices.ContainsFunc(p.Path, func(x Confirmation) bool { return x.Step == s.ID })
		if requested(p, s, c) {
			if pe := p.Pending; pe != nil && pe.Confirmation.Step == c.Next && len(added) == 0 {
				// The principal decides on the request as it was made.
				return "", fmt.Sprintf("Your firm's request for certification (Step %s) awaits a principal's approval, and it names the agents as they were then: %s. The list cannot change until it is approved or sent back. Nothing was changed.", s.Number, f.fill("{agents}", p))
			}
			if len(added) > 0 {
				return "", f.tooLate(s, p)
			}
			continue
		}
		pending := pendingAgents(*next, s)
		switch {
		case next.Current == c.Next && confirmed && len(pending) > 0:
			next.Current, next.Opened = s.ID, next.Version
			return agentsBackTo + s.ID + endLeftWait(next, c.Next), ""
		case next.Current == s.ID && confirmed && len(pending) == 0:
			return moveOn(next, s, c), ""
		case next.Current == s.ID:
			// The card asked about an agent by its place in the list: a
			// card drawn before the change may ask about another one.
			next.Opened = next.Version
		}
	}
	return "", ""
}

// moveOn takes the firm past per-agent step s once every agent named is
// confirmed, as the last agent's confirmation would have: the step's
// wait ends. It returns the detail that says so, which replay reads.
func moveOn(next *Progress, s *Step, c *Choice) string {
	next.Current, next.Opened = c.Next, next.Version
	return agentsOnTo + c.Next + endWaitOnConfirm(next, s.ID)
}

// endLeftWait ends the wait of step, which the firm has just left by
// going back (a wait belongs to the step the firm is on), and returns the
// marker replay reads ("; ended the wait on <step>"), or "" when there
// was none.
func endLeftWait(next *Progress, step string) string {
	if _, ok := next.Waits[step]; !ok || step == next.Current {
		return ""
	}
	delete(next.Waits, step)
	return undoLeftWait + step
}

// pastEveryAgent is the move for a per-agent step s reopened by an undo
// when every agent now named is confirmed: on to its next part, as
// settleAgents would; "" when s is not such a step.
func (f *Flow) pastEveryAgent(next *Progress, s *Step) string {
	c := primaryChoice(s)
	if !s.PerAgent || c == nil || len(next.Agents()) == 0 || len(pendingAgents(*next, s)) > 0 {
		return ""
	}
	return moveOn(next, s, c)
}

// requested reports whether the firm has recorded (or submitted for
// approval) the part after per-agent step s, or confirmed s with a
// retired answer that covered it.
func requested(p Progress, s *Step, c *Choice) bool {
	if p.Pending != nil && p.Pending.Confirmation.Step == c.Next {
		return true
	}
	return slices.ContainsFunc(p.Path, func(x Confirmation) bool {
		return x.Step == c.Next || x.Step == s.ID && x.Choice != c.ID
	})
}

func (f *Flow) tooLate(s *Step, p Progress) string {
	if p.Pending != nil {
		return fmt.Sprintf("Your firm's request for certification (Step %s) awaits a principal's approval, and it confirms that all of its CAT Reporting Agents had certified: %s. An agent added now would have no confirmation of its own, so it cannot be added here. Nothing was changed. To add one, withdraw the request first (its confirmer or a principal sends it back, or an admin runs `{cmd} undo`).",
			s.Number, f.fill("{agents}", p))
	}
	return fmt.Sprintf("Your firm has already recorded its request for certification (Step %s), which confirms that all of its CAT Reporting Agents had certified: %s. An agent added now would have no confirmation of its own, so it cannot be added here. Nothing was changed. To add one, an admin first undoes the steps back to that request (`{cmd} undo`, once for each).",
		s.Number, f.fill("{agents}", p))
}

func primaryChoice(s *Step) *Choice {
	for i := range s.Choices {
		if s.Choices[i].Primary && !s.Choices[i].Help {
			return &s.Choices[i]
		}
	}
	return nil
}

// addedAgents are the names in now that were not in before (ignoring
// case, as confirmations match agents).
func addedAgents(before, now []string) []string {
	var out []string
	for _, a := range now {
		if !slices.ContainsFunc(before, func(b string) bool { return strings.ToLower(a) == strings.ToLower(b) }) { // as pendingAgents
			out = append(out, a)
		}
	}
	return out
}

// agentsMove reads an agents entry's detail: the list, and where the
// firm moved (moveTo: the step after "; back to: " or "; on to: "; ""
// if it did not), and whether it moved on (ending the step's wait).
func agentsMove(detail string) (agents []string, moveTo string, on, ok bool) {
	answer, agents, tail, found := agentsDetail(detail)
	switch {
	case !found || answer != "now":
		return nil, "", false, false
	case tail == "":
		return agents, "", false, true
	}
	moveTo, on, ok = movedTo(tail)
	return agents, moveTo, on, ok
}

// movedTo reads a move suffix ("; back to: <step>" or "; on to: <step>",
// the latter perhaps followed by "; ended the wait: …").
func movedTo(tail string) (step string, on, ok bool) {
	if step, found := strings.CutPrefix(tail, agentsBackTo); found {
		step, _, _ = strings.Cut(step, ";") // "; ended the wait on …" may follow (endLeftWait)
		return step, false, step != ""
	}
	rest, found := strings.CutPrefix(tail, agentsOnTo)
	if !found {
		return "", false, false
	}
	step, _, _ = strings.Cut(rest, ";")
	return step, true, step != ""
}
