package dialogs

import "fmt"

// ActReopen records a button that takes the firm from an outcome back to
// a step (the "Reopen Step 1" of the "No" outcome). Its entry names the
// step and choice clicked, as a confirmation's does; entries written as
// "confirm" before this action existed stay as they are.
const ActReopen = "reopen"

// reopens tells a choice that leaves an outcome for a step: it records no
// answer, it opens a step again.
func (f *Flow) reopens(from *Step, c *Choice) bool {
	if from == nil || c == nil || !from.IsOutcome() {
		return false
	}
	to, ok := f.Roadmap.Step(c.Next)
	return ok && !to.IsOutcome()
}

// reopened names the step a reopen entry or change opened again ("Step
// 1"), or "" when the stored step or choice is no longer in the roadmap.
func (f *Flow) reopened(step, choice string) *Step {
	s, ok := f.Roadmap.Step(step)
	if !ok {
		return nil
	}
	c, ok := s.Choice(choice)
	if !ok {
		return nil
	}
	to, ok := f.Roadmap.Step(c.Next)
	if !ok {
		return nil
	}
	return to
}

// reopen commits a reopening click: the firm goes back to the choice's
// step, the trail says "reopen", and the channel line says who reopened
// what and which answer it had.
func (f *Flow) reopen(p Progress, ev Event, from *Step, c *Choice) Result {
	to, _ := f.Roadmap.Step(c.Next)
	next := nextOf(p)
	next.Path = append(next.Path, Confirmation{Step: from.ID, Choice: c.ID, User: ev.User, At: ev.At.UTC()})
	next.Current = to.ID
	e := Entry{Action: ActReopen, Step: from.ID, Choice: c.ID, Card: ev.Token.Version,
		Detail: fmt.Sprintf("reopened %s (from: %s)", to.Short(), from.Title)}
	reply := f.CardFor(next, ev.At, ev.User)
	reply.Replace = true
	reply.Public = fmt.Sprintf("%s reopened **%s**.", Mention(ev.User), to.Heading())
	if prev, ok := p.Confirmed(to.ID); ok {
		reply.Public = fmt.Sprintf("%s reopened **%s** (it had been answered “%s” by %s on %s).",
			Mention(ev.User), to.Heading(), answer(to, prev.Choice), Mention(prev.User), f.Stamp(prev.At))
	}
	return f.change(p, next, ev, e, reply)
}

// alreadyDone tells a late clicker that step s was already answered:
// confirmed (with the answer), or, for a reopen button, reopened.
func (f *Flow) alreadyDone(s *Step, c Confirmation) string {
	if to := f.reopened(s.ID, c.Choice); to != nil && s.IsOutcome() && !to.IsOutcome() {
		return fmt.Sprintf("%s was already reopened by %s on %s.", to.Short(), Mention(c.User), f.Stamp(c.At))
	}
	return fmt.Sprintf("%s was already confirmed by %s on %s (answer: %s%s).", s.Short(), Mention(c.User), f.Stamp(c.At), answer(s, c.Choice), f.approvedText(c))
}
