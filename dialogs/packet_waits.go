package dialogs

import (
	"slices"
	"strings"
)

// waitNote is what an entry did to one step's wait, in the packet's words.
type waitNote struct{ step, text string }

// waitNotes are what entry e did to waits, given which steps hold one
// (open, updated as the entries go): set, changed or cleared, started or
// ended by an answer, or ended because the firm left the step (an undo,
// an agents change, a reset), so the summary never shows a wait as still
// set once it is not.
func (pk *packer) waitNotes(open map[string]bool, e Entry) []waitNote {
	switch e.Action {
	case ActWait, ActWaitEnd:
		verb, rest, _ := strings.Cut(e.Detail, ": ")
		open[e.Step] = e.Action == ActWait
		return []waitNote{{e.Step, upperFirst(verb) + ": " + rest}}
	case ActConfirm, ActApprove:
		return pk.answerWaits(open, e)
	case ActUndo:
		return undoWaits(open, e)
	case ActAgents:
		return pk.agentsWaits(open, e)
	case ActReset:
		var out []waitNote
		for _, step := range sortedKeys(open, nil) {
			if open[step] {
				out = append(out, waitNote{step, "Ended by the reset"})
			}
		}
		clear(open)
		return out
	}
	return nil
}

// answerWaits: only an answer that took effect ends or starts a wait; a
// submission awaiting approval does neither (it may be sent back).
func (pk *packer) answerWaits(open map[string]bool, e Entry) []waitNote {
	// A confirmation always ends its step's wait (endWaitOnConfirm), so
	// the end is known from the waits followed so far, never read out of
	// the detail, where a typed agent name could imitate it.
	var out []waitNote
	if open[e.Step] {
		open[e.Step] = false
		out = append(out, waitNote{e.Step, "Ended when the step was confirmed"})
	}
	s, ok := pk.k.of(e).Step(e.Step)
	if !ok {
		return out
	}
	if c, ok := s.Choice(e.Choice); ok && c.WaitsOn != "" {
		if i := strings.LastIndex(e.Detail, "; waiting on "+c.WaitsOn); i >= 0 {
			open[c.Next] = true
			out = append(out, waitNote{c.Next, "Set: " + e.Detail[i+2:]})
		}
	}
	return out
}

// undoWaits: an undo ends the wait of the step it took the firm off
// (undoLeftWait), and moving on past every agent ends that step's wait.
func undoWaits(open map[string]bool, e Entry) []waitNote {
	var out []waitNote
	before, move, moved := strings.Cut(e.Detail, agentsOnTo)
	if _, step, found := strings.Cut(before, undoLeftWait); found {
		step, _, _ = strings.Cut(step, ";")
		open[step] = false
		out = append(out, waitNote{step, "Ended: the undo took the firm off this step"})
	}
	if _, ended, found := strings.Cut(move, "; ended the wait: "); moved && found {
		open[e.Step] = false
		out = append(out, waitNote{e.Step, "Ended when the firm moved on: " + readableInstants(ended)})
	}
	return out
}

// agentsWaits: an agents change that sends the firm back ends the wait of
// the part it left; one that moves it on ends the per-agent step's wait.
func (pk *packer) agentsWaits(open map[string]bool, e Entry) []waitNote {
	_, _, tail, ok := agentsDetail(e.Detail)
	if !ok {
		return nil
	}
	if back, found := strings.CutPrefix(tail, agentsBackTo); found {
		if _, step, found := strings.Cut(back, undoLeftWait); found {
			open[step] = false
			return []waitNote{{step, "Ended: an agents change sent the firm back"}}
		}
		return nil
	}
	to, on, ok := movedTo(tail)
	_, ended, found := strings.Cut(tail, "; ended the wait: ")
	if !ok || !on || !found {
		return nil
	}
	rm := pk.k.of(e)
	i := slices.IndexFunc(rm.Steps, func(s Step) bool { c := primaryChoice(&s); return s.PerAgent && c != nil && c.Next == to })
	if i < 0 {
		return nil
	}
	open[rm.Steps[i].ID] = false
	return []waitNote{{rm.Steps[i].ID, "Ended when the firm moved on: " + readableInstants(ended)}}
}
