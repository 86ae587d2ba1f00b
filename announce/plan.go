package announce

import (
	"cmp"
	"slices"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// SendTime is when the reminder lead days before day goes out: 09:00 on
// that calendar date in loc. time.Date takes the offset from the zone
// database, so on daylight-saving change days it is still 09:00 local.
func SendTime(day time.Time, lead int, loc *time.Location) time.Time {
	d := day.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day()-lead, dialogs.AnnounceHour, 0, 0, 0, loc)
}

// job is one occurrence to settle in this run.
type job struct {
	occ       ledger.Occurrence
	sum       [16]byte // occ.Sum(), hashed once: the run looks it up often
	workspace Workspace
	deadline  dialogs.Deadline
	at        time.Time         // when it fell due
	progress  *dialogs.Progress // shared by the firm's jobs; read only
}

// plan lists the firm's reminders that have fallen due by now: due are
// owed today; missed fell due on an earlier day and are only recorded.
// Deadlines already passed (the seed's roadmap dates) and those the firm
// finished get none, and neither do lead times that fell before the
// channel subscribed or before its announcements last resumed; paused
// subscriptions get none at all.
func plan(f *dialogs.Flow, firm firm.ID, p *dialogs.Progress, now time.Time) (due, missed []job) {
	workspace := WorkspaceOf(firm)
	today := midnight(now, f.Loc)
	channels := make([]string, 0, len(p.Channels))
	for ch, sub := range p.Channels {
		if sub.Paused.IsZero() { // a paused subscription owes nothing (dialogs/announce_pause.go)
			channels = append(channels, ch)
		}
	}
	slices.Sort(channels)
	for _, d := range upcoming(f, p, today) {
		for _, lead := range d.Leads() {
			at := SendTime(d.Day, lead, f.Loc)
			if at.After(now) {
				continue
			}
			for _, ch := range channels {
				if sub := p.Channels[ch]; at.Before(sub.At) || at.Before(sub.Resumed) {
					continue // not owed: before the subscription, or during a pause
				}
				o := ledger.Occurrence{Firm: firm, Channel: ch, Deadline: d.ID, Day: d.Day.Format(time.DateOnly), Lead: lead}
				j := job{occ: o, sum: o.Sum(), workspace: workspace, deadline: d, at: at, progress: p}
				if at.Before(today) {
					missed = append(missed, j)
				} else {
					due = append(due, j)
				}
			}
		}
	}
	return due, missed
}

// upcoming lists the firm's deadlines from today on that it has not
// finished, in a stable order (targets come from a map: equal days are
// ordered by id). Past dates are dropped first: they are most of them
// (the seed's), and Finished is the costly test.
func upcoming(f *dialogs.Flow, p *dialogs.Progress, today time.Time) []dialogs.Deadline {
	var out []dialogs.Deadline
	for _, d := range f.Deadlines(*p) {
		if d.Kind == "deadline" && !d.Day.Before(today) && !f.Finished(*p, d) {
			out = append(out, d)
		}
	}
	// A wait's follow-up is owed while the wait stands (a cleared or
	// ended one is no longer in the progress).
	for _, d := range f.FollowUps(*p) {
		if !d.Day.Before(today) {
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b dialogs.Deadline) int {
		return cmp.Or(a.Day.Compare(b.Day), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// midnight is the start of t's date in loc.
func midnight(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}
