package dialogs

import (
	"encoding/json"
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
			if len(added) > 0 {
				return "", f.tooLate(s, p)
			}
			continue
		}
		pending := pendingAgents(*next, s)
		switch {
		case next.Current == c.Next && confirmed && len(pending) > 0:
			next.Current, next.Opened = s.ID, next.Version
			return agentsBackTo + s.ID, ""
		case next.Current == s.ID && confirmed && len(pending) == 0:
			next.Current, next.Opened = c.Next, next.Version
			return agentsOnTo + c.Next, ""
		}
	}
	return "", ""
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
		if !slices.ContainsFunc(before, func(b string) bool { return strings.EqualFold(a, b) }) {
			out = append(out, a)
		}
	}
	return out
}

// agentsMove reads an agents entry's detail: the list, and the step the
// firm moved to (empty if none).
func agentsMove(detail string) (agents []string, moved string, ok bool) {
	rest, found := strings.CutPrefix(detail, "now: ")
	if !found {
		return nil, "", false
	}
	dec := json.NewDecoder(strings.NewReader(rest))
	if dec.Decode(&agents) != nil {
		return nil, "", false
	}
	tail := rest[dec.InputOffset():]
	for _, m := range []string{agentsBackTo, agentsOnTo} {
		if step, found := strings.CutPrefix(tail, m); found {
			return agents, step, true
		}
	}
	return agents, "", tail == ""
}
