package dialogs

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// SetDeadline records the firm's own target date for a step (admins).
func (f *Flow) SetDeadline(p Progress, ev Event, args []string) Result {
	if !f.isAdmin(ev.User) {
		return f.refuse("set target dates")
	}
	usage := "Usage: `{cmd} deadline <step> <YYYY-MM-DD>`, e.g. `{cmd} deadline 6A 2027-06-05`, or `{cmd} deadline <step> clear`. Nothing was changed."
	if len(args) != 2 {
		return Result{Reply: Notice("Deadline not set", usage)}
	}
	s, ok := f.Roadmap.StepByNumber(args[0])
	if !ok {
		return Result{Reply: Notice("Deadline not set", fmt.Sprintf("There is no step %q. Steps: %s. %s", Lit(args[0]), f.stepNumbers(), usage))}
	}
	if strings.EqualFold(args[1], "clear") {
		return f.clearDeadline(p, ev, s)
	}
	s, _, _ = f.targetOf(p, s)
	if r, done := f.targetForDoneStep(p, s); done {
		return r
	}
	if !f.applies(p, s) {
		return Result{Reply: Notice("Deadline not set", fmt.Sprintf("%s does not apply on your firm's path, so a target for it would never be announced. Nothing was changed. See `{cmd} status` for the steps ahead.", s.Short()))}
	}
	day, err := time.ParseInLocation(time.DateOnly, args[1], f.Loc)
	if err != nil {
		return Result{Reply: Notice("Deadline not set", fmt.Sprintf("%q is not a date. %s", Lit(args[1]), usage))}
	}
	if daysBetween(ev.At.In(f.Loc), day) < 0 {
		return Result{Reply: Notice("Deadline not set", fmt.Sprintf("%s has already passed. Choose today or a later date. Nothing was changed.", longDate(day)))}
	}
	next := nextOf(p)
	if next.Targets == nil {
		next.Targets = map[string]string{}
	}
	next.Targets[s.ID] = args[1]
	e := Entry{Action: ActDeadline, Step: s.ID, Detail: "target " + args[1]}
	name := f.Roadmap.targetName(s)
	reply := Notice("Target date set", fmt.Sprintf("Your target for **%s** is %s.", name, longDate(day)))
	reply.Public = fmt.Sprintf("%s set the firm's target for **%s** to %s.", Mention(ev.User), name, longDate(day))
	return f.change(p, next, ev, e, reply)
}

func (f *Flow) stepNumbers() string {
	var n []string
	for _, s := range f.Roadmap.Steps {
		if !slices.Contains(n, s.Number) { // 6(A)'s parts share a number
			n = append(n, s.Number)
		}
	}
	return strings.Join(n, ", ")
}

// Announce subscribes or unsubscribes the event's channel (admins).
func (f *Flow) Announce(p Progress, ev Event, args []string) Result {
	if !f.isAdmin(ev.User) {
		return f.refuse("change deadline announcements")
	}
	off := len(args) == 1 && strings.EqualFold(args[0], "off")
	if len(args) > 1 || (len(args) == 1 && !off) {
		return Result{Reply: Notice("Announcements unchanged", "Usage: `{cmd} announce` or `{cmd} announce off`. Nothing was changed.")}
	}
	_, on := p.Channels[ev.Channel]
	if on != off {
		state := "already gets"
		if off {
			state = "does not get"
		}
		return Result{Reply: Notice("Announcements unchanged", "This channel "+state+" deadline announcements. Nothing was changed.")}
	}
	next := nextOf(p)
	e := Entry{Action: ActAnnounce, Detail: "channel " + ev.Channel}
	reply := Notice("Announcements on", "This channel will get deadline reminders 30, 14, 7 and 1 days before each deadline and on the day, at 09:00 "+f.Loc.String()+".")
	if off {
		delete(next.Channels, ev.Channel)
		e.Action = ActAnnounceOff
		reply = Notice("Announcements off", "This channel will get no more deadline reminders.")
	} else {
		if next.Channels == nil {
			next.Channels = map[string]Subscription{}
		}
		next.Channels[ev.Channel] = Subscription{User: ev.User, At: ev.At.UTC()}
	}
	return f.change(p, next, ev, e, reply)
}

// Deadline is one date that applies to the firm, for listing and
// announcing.
type Deadline struct {
	ID    string // roadmap date id, or "target:<step>"
	Label string
	Day   time.Time // midnight in the bot's zone
	Steps []string
	Kind  string
}

// Deadlines lists the roadmap's dates and the firm's targets, by date.
func (f *Flow) Deadlines(p Progress) []Deadline {
	out := make([]Deadline, 0, len(f.Roadmap.Dates)+len(p.Targets))
	for _, d := range f.Roadmap.Dates {
		day, _ := time.ParseInLocation(time.DateOnly, d.Date, f.Loc)
		out = append(out, Deadline{ID: d.ID, Label: d.Label, Day: day, Steps: d.Steps, Kind: d.Kind})
	}
	for step, t := range p.Targets {
		s, ok := f.Roadmap.Step(step)
		day, err := time.ParseInLocation(time.DateOnly, t, f.Loc)
		if !ok || err != nil || f.shadowed(p, s) {
			continue
		}
		out = append(out, Deadline{ID: "target:" + step, Label: "Your target: " + f.Roadmap.targetName(s), Day: day, Steps: []string{f.Roadmap.lastPart(s)}, Kind: "deadline"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out
}

// DeadlinesReply lists deadlines with days left or "passed".
func (f *Flow) DeadlinesReply(p Progress, now time.Time) Reply {
	r := Reply{Title: "CAIS deadlines"}
	var lines []string
	past := false
	for _, d := range f.Deadlines(p) {
		left := daysBetween(now.In(f.Loc), d.Day)
		past = past || left < 0
		state := longDate(d.Day) + ": " + daysLeft(left)
		switch {
		case d.Kind == "milestone" && left < 0:
			state = longDate(d.Day)
		case left < 0:
			state = "passed (" + longDate(d.Day) + ")"
		}
		lines = append(lines, fmt.Sprintf("• **%s** — %s%s", d.Label, state, f.targetState(p, d)))
	}
	r.text(strings.Join(lines, "\n"))
	for _, n := range f.passedNotices(p, now) {
		r.text(n)
	}
	if past {
		r.context("Target dates (`{cmd} deadline <step> <YYYY-MM-DD>`, admins) are your firm's internal plan; they do not replace the roadmap's dates.")
	}
	return r
}

// targetState says why a target date is no longer announced (its step is
// done, or the firm's answers no longer lead to it), so a list of dates
// never shows a countdown nobody will be reminded of as if it ran.
func (f *Flow) targetState(p Progress, d Deadline) string {
	s, own := f.targetStep(d)
	switch {
	case !own || !f.Finished(p, d):
		return ""
	case f.applies(p, s) || slices.ContainsFunc(d.Steps, func(id string) bool { _, ok := p.Confirmed(id); return ok }):
		return " · done, not announced"
	}
	return " · not on your firm's path now, not announced"
}

// applies says whether step s is on the firm's path: confirmed, current,
// or still ahead of the current step.
func (f *Flow) applies(p Progress, s *Step) bool {
	if _, done := p.Confirmed(s.ID); done {
		return true
	}
	cur := f.current(p)
	return !cur.IsOutcome() && f.Roadmap.ahead(cur.ID)[s.ID]
}
