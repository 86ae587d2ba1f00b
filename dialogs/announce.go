package dialogs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caisbot/caisbot/firm"
)

// LeadDays are the days before a deadline on which a subscribed channel is
// reminded of it; 0 is the day itself. The announce command's reply names
// the same days.
var LeadDays = []int{30, 14, 7, 1, 0}

// AnnounceHour is the local hour (in Flow.Loc) at which reminders go out.
const AnnounceHour = 9

// SystemUser is who the audit trail names for changes the bot makes on
// its own, such as ending a subscription Slack refuses to post to.
const SystemUser = "caisbot"

// Announced lists the deadlines the firm's channels are reminded of: the
// roadmap's and the firm's own dates of kind "deadline" that the firm has
// not finished. Dates that have passed are the caller's to leave out.
func (f *Flow) Announced(p Progress) []Deadline {
	var out []Deadline
	for _, d := range f.Deadlines(p) {
		if d.Kind == "deadline" && !f.Finished(p, d) {
			out = append(out, d)
		}
	}
	return out
}

// Finished reports whether the firm is done with what deadline d is
// about: it has reached an outcome, confirmed one of d's steps (and not
// come back to it), or left all of them behind on another branch (the
// status card's "not reached on the answers recorded"), so reminding it would be noise.
func (f *Flow) Finished(p Progress, d Deadline) bool {
	cur := f.current(p)
	if cur.IsOutcome() {
		return true
	}
	if len(d.Steps) == 0 {
		return false
	}
	reach := f.Roadmap.ahead(cur.ID)
	for _, id := range d.Steps {
		if _, ok := p.Confirmed(id); ok && !f.open(p, cur, reach, id) {
			return true
		}
	}
	return !slices.ContainsFunc(d.Steps, func(id string) bool { return f.open(p, cur, reach, id) })
}

// OpenSteps lists the steps still ahead of the firm, the next one first,
// then the rest in roadmap order, as the status card marks them.
func (f *Flow) OpenSteps(p Progress) []*Step {
	cur := f.current(p)
	if cur.IsOutcome() {
		return nil
	}
	out := []*Step{cur}
	reach := f.Roadmap.ahead(cur.ID)
	for i := range f.Roadmap.Steps {
		s := &f.Roadmap.Steps[i]
		if s.ID != cur.ID && f.open(p, cur, reach, s.ID) {
			out = append(out, s)
		}
	}
	return out
}

// open reports whether step id is still ahead of a firm whose current
// step cur is not an outcome: reachable from it (reach, from
// Roadmap.ahead), not an outcome, and current or not yet confirmed, as
// statusLine's "next" and "open" say. It is asked per step rather than
// building the set, which the announcer would do for every firm it plans.
func (f *Flow) open(p Progress, cur *Step, reach map[string]bool, id string) bool {
	if !reach[id] {
		return false
	}
	s, _ := f.Roadmap.Step(id)
	if s.IsOutcome() {
		return false
	}
	_, done := p.Confirmed(id)
	return id == cur.ID || !done
}

// AnnouncementReply is the reminder of deadline d posted at now, kept
// short: which deadline, its date and the days left, the firm's next open
// step, and a button that opens that step's card.
func (f *Flow) AnnouncementReply(p Progress, d Deadline, now time.Time) Reply {
	left := daysBetween(now.In(f.Loc), d.Day)
	short, long := d.Label, "**"+d.Label+"**"
	if s, ok := f.targetStep(d); ok {
		short, long = "your target for "+s.Short(), "Your target for **"+f.Roadmap.targetName(s)+"**"
	}
	r := Reply{Title: announceTitle(left) + ": " + short}
	when := " is **" + longDate(d.Day) + "** — " + daysLeft(left) + "."
	if left == 0 {
		when = " is **today, " + longDate(d.Day) + "**."
	}
	r.text(long + when)
	// The next step is OpenSteps' first: the current one, if not an outcome.
	if cur := f.current(p); !cur.IsOutcome() {
		r.text("**Next step:** " + cur.Heading())
	}
	// A firm still onboarding is past the roadmap's compliance date: a
	// reminder of its own target must not read as if it were on time. One
	// short line; the step's card (its button) has the roadmap's words.
	for _, id := range f.passedDates(p, now) {
		d, _ := f.Roadmap.Date(id)
		day, _ := time.ParseInLocation(time.DateOnly, d.Date, f.Loc)
		r.context(fmt.Sprintf("The roadmap's date “%s”, %s, has passed: the step's card says what that means for your firm.", d.Label, longDate(day)))
	}
	r.Actions = []Action{{Label: "Open next step", Style: Primary, Value: Token{Kind: KindOpen, Version: p.Version}.String()}}
	return r
}

// targetStep is the step a firm's own target date is for.
func (f *Flow) targetStep(d Deadline) (*Step, bool) {
	id, ok := strings.CutPrefix(d.ID, "target:")
	if !ok {
		return nil, false
	}
	return f.Roadmap.Step(id)
}

func announceTitle(left int) string {
	switch left {
	case 0:
		return "Due today"
	case 1:
		return "Due tomorrow"
	}
	return fmt.Sprintf("%d days left", left)
}

// EndSubscription stops announcements to channel because the platform
// will not post there (the bot was removed, the channel was deleted or
// archived). It is recorded like "announce off", by SystemUser, with the
// reason in the entry's detail; a channel not subscribed changes nothing.
func (f *Flow) EndSubscription(p Progress, channel, reason string, at time.Time) Result {
	if _, on := p.Channels[channel]; !on {
		return Result{Reply: Notice("Announcements unchanged", "This channel does not get deadline announcements. Nothing was changed.")}
	}
	next := p.Clone()
	delete(next.Channels, channel)
	e := Entry{Action: ActAnnounceOff, Detail: "channel " + channel + " (ended automatically: " + reason + ")"}
	ev := Event{User: SystemUser, Channel: channel, At: at}
	return f.change(p, next, ev, e, Notice("Announcements off", "caisbot stopped deadline announcements to this channel: "+reason+"."))
}

// EndSubscription ends a channel's announcements as Flow.EndSubscription
// does, committed with its audit entry; ending one already ended is a
// no-op, so replicas that all meet the refusal may each call it.
func (s *Service) EndSubscription(ctx context.Context, f firm.ID, channel, reason string) error {
	at := s.Now()
	_, err := s.apply(ctx, f, func(p Progress) Result { return s.Flow.EndSubscription(p, channel, reason, at) })
	return err
}
