package dialogs

import "fmt"

// ResetPrompt asks an admin to confirm starting over.
func (f *Flow) ResetPrompt(p Progress, ev Event) Result {
	if !f.isAdmin(ev.User) {
		return f.refuse("reset the roadmap")
	}
	if f.nothingToReset(p) {
		return Result{Reply: nothingToReset()}
	}
	r := Notice("Start over?", fmt.Sprintf("This reopens every step (%s confirmed so far). The audit trail keeps everything, including this reset.", plural(f.confirmedSteps(p), "step")))
	r.Actions = []Action{
		{Label: "Reset all progress", Style: Danger, Value: Token{Kind: KindReset, Version: p.Version}.String(),
			Confirm: &Confirm{Title: "Reset CAIS progress?", Text: "Every step will be open again. This is recorded in the audit trail.", OK: "Reset", Cancel: "Keep progress"}},
		{Label: "Cancel", Value: Token{Kind: KindCancel, Version: p.Version}.String()},
	}
	return Result{Reply: r}
}

func (f *Flow) reset(p Progress, ev Event) Result {
	if ev.Token.Version != p.Version {
		// The prompt showed another state: resetting now could clear
		// confirmations the admin never saw, or reset twice.
		r := Notice("Reset not done", fmt.Sprintf("The firm's progress changed since this prompt was shown (%s confirmed now). Nothing was changed. Type `{cmd} reset` again to see the current state first.", plural(f.confirmedSteps(p), "step")))
		r.Replace = true
		return Result{Reply: r}
	}
	if f.nothingToReset(p) {
		r := nothingToReset()
		r.Replace = true
		return Result{Reply: r}
	}
	next := nextOf(p)
	next.Path, next.Current = nil, ""
	e := Entry{Action: ActReset, Card: ev.Token.Version, Detail: resetDetail(f.confirmedSteps(p), len(p.Path))}
	if len(next.Waits) > 0 {
		e.Detail += fmt.Sprintf(" and %s", plural(len(next.Waits), "wait"))
		next.Waits = nil
	}
	if next.Pending != nil {
		e.Detail += " and the answer awaiting approval"
		next.Pending = nil
	}
	reply := f.CardFor(next, ev.At, ev.User)
	reply.Replace = true
	reply.Public = fmt.Sprintf("%s reset the CAIS roadmap: every step is open again (the audit trail keeps the history).", Mention(ev.User))
	return f.change(p, next, ev, e, reply)
}

// confirmedSteps counts the steps `status` shows as confirmed: the
// current step is open even if an earlier pass confirmed it.
func (f *Flow) confirmedSteps(p Progress) int {
	cur := p.Current
	if cur == "" {
		cur = f.Roadmap.Start
	}
	n := 0
	for i := range f.Roadmap.Steps {
		s := &f.Roadmap.Steps[i]
		if _, _, ok := f.confirmation(p, s); ok && s.ID != cur && !s.IsOutcome() {
			n++
		}
	}
	return n
}

// nothingToReset reports a firm a reset would not change: every step
// open, no wait, nothing awaiting approval.
func (f *Flow) nothingToReset(p Progress) bool {
	return len(p.Path) == 0 && len(p.Waits) == 0 && p.Pending == nil && (p.Current == "" || p.Current == f.Roadmap.Start)
}

func nothingToReset() Reply {
	return Notice("Nothing to reset", "Every step is already open. Nothing was changed.")
}

// noArgs answers undo or reset typed with words after it.
func noArgs(cmd string) Reply {
	what := "`{cmd} undo` reopens the latest confirmed step"
	if cmd == CmdReset {
		what = "`{cmd} reset` asks before reopening every step"
	}
	return Notice("Nothing was changed", "Usage: "+what+"; it takes nothing after it. Nothing was changed.")
}

// resetDetail counts what a reset cleared as its prompt counted it (the
// steps confirmed, as status shows them), and says so when the path held
// more answers (ones a later answer had superseded, such as a "No" and
// its reopening), so the entry agrees with the prompt the admin saw.
func resetDetail(steps, answers int) string {
	d := "cleared " + plural(steps, "confirmation")
	if answers > steps {
		d += fmt.Sprintf(" (%d answers recorded in all, superseded ones included)", answers)
	}
	return d
}
