package dialogs

import (
	"sort"
	"strconv"
	"time"
)

// KindFollowUp is the Deadline.Kind of a wait's follow-up date.
const KindFollowUp = "follow_up"

// followUpLeads: a follow-up is announced on its day only, not on the
// 30/14/7/1 schedule of deadlines.
var followUpLeads = []int{0}

// Leads are the days before d on which subscribed channels are reminded
// of it: LeadDays for a deadline, the day itself for a follow-up.
func (d Deadline) Leads() []int {
	if d.Kind == KindFollowUp {
		return followUpLeads
	}
	return LeadDays
}

// FollowUps lists the follow-up dates of the firm's waits, by date. The
// id names the step and when its wait began, so a wait cleared and set
// again is a new one, while changing only the reference is not. Only the
// current step's wait is followed up: a wait left on a step the firm has
// left (an undo or agents edit written before those ended it) speaks of
// an answer since withdrawn.
func (f *Flow) FollowUps(p Progress) []Deadline {
	var out []Deadline
	cur := f.current(p).ID
	for step, w := range p.Waits {
		day, err := time.ParseInLocation(time.DateOnly, w.FollowUp, f.Loc)
		if w.FollowUp == "" || err != nil || step != cur {
			continue
		}
		label := "Follow-up: waiting on " + Lit(w.Who)
		out = append(out, Deadline{ID: "wait:" + step + ":" + strconv.FormatInt(w.Since.Unix(), 10), Label: label, Day: day, Steps: []string{step}, Kind: KindFollowUp})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Day.Equal(out[j].Day) {
			return out[i].Day.Before(out[j].Day)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Reminder is the post for a reminder of d: a deadline's announcement,
// or a wait's follow-up.
func (f *Flow) Reminder(p Progress, d Deadline, now time.Time) Reply {
	if d.Kind == KindFollowUp {
		return f.followUpReply(p, d)
	}
	return f.AnnouncementReply(p, d, now)
}

// followUpReply reminds the channel of a wait on its follow-up day: who,
// since when, the reference, the step, and a button to open the card.
func (f *Flow) followUpReply(p Progress, d Deadline) Reply {
	step := ""
	if len(d.Steps) > 0 {
		step = d.Steps[0]
	}
	w := p.Waits[step]
	heading, short := step, step
	if s, ok := f.Roadmap.Step(step); ok {
		heading, short = s.Heading(), s.Short()
	}
	r := Reply{Title: "Follow up today: " + short + " is waiting on " + Lit(w.Who)}
	r.text("**" + heading + "** has been waiting on " + Lit(w.Who) + " since " + longDate(w.Since.In(f.Loc)) + ". Today, " + longDate(d.Day) + ", is the follow-up date " + Mention(w.User) + " set.")
	if w.Ref != "" {
		r.text("Reference: " + Lit(w.Ref))
	}
	r.context("Open the step to change or clear the wait. `{cmd} announce off` (admins) stops reminders here.")
	label := "Open next step"
	if f.current(p).ID == step {
		label = "Open " + short
	}
	r.Actions = []Action{{Label: label, Style: Primary, Value: Token{Kind: KindOpen, Version: p.Version}.String()}}
	return r
}
