package dialogs

import (
	"fmt"
	"time"
)

// ActDeadlineClear records an admin removing a step's target date.
const ActDeadlineClear = "deadline_clear"

// clearDeadline removes the firm's target date for step s (admins; the
// caller checked). Its reminders stop with it.
func (f *Flow) clearDeadline(p Progress, ev Event, s *Step) Result {
	s, was, ok := f.targetOf(p, s)
	if !ok {
		return Result{Reply: Notice("No target to clear", fmt.Sprintf("%s has no target date. Nothing was changed. `{cmd} deadlines` lists the targets set.", s.Short()))}
	}
	next := nextOf(p)
	delete(next.Targets, s.ID)
	if len(next.Targets) == 0 {
		next.Targets = nil
	}
	e := Entry{Action: ActDeadlineClear, Step: s.ID, Detail: "was " + was}
	when := was
	if day, err := time.ParseInLocation(time.DateOnly, was, f.Loc); err == nil {
		when = longDate(day)
	}
	name := f.Roadmap.targetName(s)
	reply := Notice("Target date cleared", fmt.Sprintf("**%s** has no target date now (it was %s). Its reminders stop.", name, when))
	if _, other, left := f.targetOf(next, s); left { // an earlier build kept one under another part too
		reply = Notice("Target date cleared", fmt.Sprintf("The target for **%s** of %s is cleared. An earlier version kept a second one for it, %s, which is now its target: clear it too with the same command if it no longer applies.", name, when, f.day(other)))
	}
	reply.Public = fmt.Sprintf("%s cleared the firm's target for **%s** (it was %s).", Mention(ev.User), name, when)
	return f.change(p, next, ev, e, reply)
}

// targetForDoneStep refuses a target for a step the firm has already
// confirmed and not come back to: it would never be announced.
func (f *Flow) targetForDoneStep(p Progress, s *Step) (Result, bool) {
	// A step in parts (6(A)) is done only when its last part is: its
	// first part confirmed says nothing of the request or FINRA's
	// certification still open.
	if last, ok := f.Roadmap.Step(f.Roadmap.lastPart(s)); ok {
		s = last
	}
	c, ok := p.Confirmed(s.ID)
	if cur := f.current(p); !ok || !cur.IsOutcome() && f.open(p, cur, f.Roadmap.ahead(cur.ID), s.ID) {
		return Result{}, false
	}
	return Result{Reply: Notice("Deadline not set", fmt.Sprintf("%s is already done (confirmed by %s on %s), so a target for it would never be announced. Nothing was changed.", s.Short(), Mention(c.User), f.Stamp(c.At)))}, true
}
