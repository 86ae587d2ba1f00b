package dialogs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/caisbot/caisbot/firm"
)

// The bureau console (`firms`): in channel scope, where each channel is a
// firm, an admin sees every firm of the workspace at once, most urgent
// first, with the whole list as CSV (console_csv.go).

// FirmLister lists one workspace's firms and reads many firms' progress
// in one go (the store).
type FirmLister interface {
	FirmsIn(ctx context.Context, w firm.Workspace) ([]firm.ID, error)
	LoadMany(ctx context.Context, firms []firm.ID) ([]Progress, error)
}

// ChannelBook names a workspace's channels as the platform shows them
// now (id → name); nil or a missing id: the id is shown.
type ChannelBook interface {
	ChannelNames(ctx context.Context) map[string]string
}

// ConsoleRow is one firm as the console lists it.
type ConsoleRow struct {
	Firm firm.ID
	// Name is the profile's legal name, else the channel's name, else its id.
	Name string
	Step string // "Step 4", or the outcome reached
	Done bool   // at an outcome
	// Waiting is who the current step waits on ("" none), since WaitSince.
	Waiting   string
	WaitSince time.Time
	// Next is the nearest date the firm has not finished: its own target
	// dates, passed ones included (overdue), and the roadmap's deadlines
	// still ahead. A roadmap deadline that has passed is not "overdue"
	// here: the step's card says what the roadmap says a passed date
	// means. NextDay is zero when there is none.
	Next     string
	NextDay  time.Time
	DaysLeft int // negative: overdue
	// Last is the firm's latest change; zero when it has none.
	Last time.Time
	// Broken says the firm's stored record failed its integrity check:
	// nothing else about it is known, and it is listed first.
	Broken bool
	// Passed are the ids of the roadmap's dates with words for after
	// them (the compliance date) that have passed while the firm is still
	// onboarding: the console says so, in the roadmap's words.
	Passed []string
}

// Overdue reports whether the firm's nearest deadline has passed.
func (r ConsoleRow) Overdue() bool { return !r.NextDay.IsZero() && r.DaysLeft < 0 }

// Row is firm id with progress p as the console lists it at now; channel
// is its channel's name ("" unknown).
func (f *Flow) Row(id firm.ID, p Progress, channel string, now time.Time) ConsoleRow {
	cur := f.current(p)
	r := ConsoleRow{Firm: id, Step: cur.Short(), Done: cur.IsOutcome()}
	switch {
	case p.Profile != nil && p.Profile.Name != "":
		r.Name = p.Profile.Name
	case channel != "":
		r.Name = "#" + channel
	case id.Channel != "":
		r.Name = id.Channel
	default:
		r.Name = id.Workspace
	}
	if w, ok := p.Waits[cur.ID]; ok {
		r.Waiting, r.WaitSince = w.Who, w.Since
	} else if p.Pending != nil && p.Pending.Confirmation.Step == cur.ID {
		r.Waiting, r.WaitSince = "a principal's approval", p.Pending.Confirmation.At
	}
	for _, d := range f.Announced(p) {
		left := daysBetween(now.In(f.Loc), d.Day)
		s, own := f.targetStep(d)
		if own || left >= 0 {
			r.Next, r.NextDay, r.DaysLeft = d.Label, d.Day, left
			if own {
				r.Next = "Your target for " + s.Short()
			}
			break
		}
	}
	if p.Last != nil {
		r.Last = p.Last.At
	}
	r.Passed = f.passedDates(p, now)
	return r
}

// SortRows orders rows most urgent first: a record that failed its
// integrity check; then overdue (longest overdue first); then waiting on
// someone (waiting longest first); then the nearest date ahead; then firms
// with no date. Ties go to the firm whose latest change is oldest (none at
// all first), then by name.
func SortRows(rows []ConsoleRow) {
	slices.SortStableFunc(rows, func(a, b ConsoleRow) int {
		ra, rb := urgency(a), urgency(b)
		if c := cmp.Compare(ra, rb); c != 0 {
			return c
		}
		switch ra {
		case urgentOverdue, urgentDated:
			if c := cmp.Compare(a.DaysLeft, b.DaysLeft); c != 0 {
				return c
			}
		case urgentWaiting:
			if c := a.WaitSince.Compare(b.WaitSince); c != 0 {
				return c
			}
		}
		if c := a.Last.Compare(b.Last); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
}

// Urgency groups, most urgent first.
const (
	urgentBroken = iota
	urgentOverdue
	urgentWaiting
	urgentDated
	urgentRest
)

func urgency(r ConsoleRow) int {
	switch {
	case r.Broken:
		return urgentBroken
	case r.Overdue():
		return urgentOverdue
	case r.Waiting != "":
		return urgentWaiting
	case !r.NextDay.IsZero():
		return urgentDated
	}
	return urgentRest
}

// Rows lists the firms of workspace w for the console, most urgent
// first; only, if set, keeps the firms of those channels.
func (s *Service) Rows(ctx context.Context, w firm.Workspace, names map[string]string, only map[string]bool) ([]ConsoleRow, error) {
	if s.Firms == nil {
		return nil, nil
	}
	ids, err := s.Firms.FirmsIn(ctx, w)
	if err != nil {
		return nil, err
	}
	if only != nil {
		ids = slices.DeleteFunc(ids, func(id firm.ID) bool { return !only[id.Channel] })
	}
	ps, broken, err := s.loadRows(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	rows := make([]ConsoleRow, 0, len(ids))
	for i, id := range ids {
		if !w.Has(id) { // the store's answer is checked, not trusted
			continue
		}
		row := s.Flow.Row(id, ps[i], names[id.Channel], now)
		row.Broken = broken[i]
		rows = append(rows, row)
	}
	SortRows(rows)
	return rows, nil
}

// loadRows reads the firms' progress in one go; when a record fails its
// integrity check, one by one, so the others are still listed and the
// broken ones are named (broken[i]).
func (s *Service) loadRows(ctx context.Context, ids []firm.ID) ([]Progress, []bool, error) {
	broken := make([]bool, len(ids))
	ps, err := s.Firms.LoadMany(ctx, ids)
	if !errors.Is(err, ErrIntegrity) {
		return ps, broken, err
	}
	ps = make([]Progress, len(ids))
	for i, id := range ids {
		ps[i], err = s.Store.Load(ctx, id)
		switch {
		case errors.Is(err, ErrIntegrity):
			_ = s.noteIntegrity("request", err)
			ps[i], broken[i] = Progress{}, true
		case err != nil:
			return nil, nil, err
		}
	}
	return ps, broken, nil
}

// Console answers `firms`: for an admin, the first page of every firm of
// the workspace, most urgent first, with buttons for the next page and
// for the whole list as a CSV file (which the platform sends to the admin
// alone); others are told who can.
func (s *Service) Console(ctx context.Context, w firm.Workspace, ev Event) (Reply, error) {
	return s.consolePage(ctx, w, s.stamp(ev), 1, false)
}

// consoleClick answers a console button: another page, or the CSV.
func (s *Service) consoleClick(ctx context.Context, w firm.Workspace, ev Event, t Token) (Reply, error) {
	if t.Choice == consoleCSV {
		return s.consolePage(ctx, w, ev, 1, true)
	}
	page, err := strconv.Atoi(t.Choice)
	if err != nil || page < 1 {
		return Notice("Unrecognised button", "That button is not one of mine. Nothing was changed. Type `{cmd} firms` for the list."), nil
	}
	r, err := s.consolePage(ctx, w, ev, page, false)
	r.Replace = true
	return r, err
}

// consolePage is page (from 1) of the console, or with csv the notice
// that carries the whole list as a file.
func (s *Service) consolePage(ctx context.Context, w firm.Workspace, ev Event, page int, csv bool) (Reply, error) {
	fl, err := s.flowFor(ctx, firm.ID{Platform: w.Platform, Workspace: w.ID})
	if err != nil {
		return Reply{}, err
	}
	if !fl.isAdmin(ev.User) {
		return fl.refuse("see the list of every firm").Reply, nil
	}
	var names map[string]string
	if ev.Channels != nil {
		names = ev.Channels.ChannelNames(ctx)
	}
	rows, err := s.Rows(ctx, w, names, nil)
	if err != nil {
		return Reply{}, err
	}
	if csv {
		r := Notice("Firms of this workspace — CSV", fmt.Sprintf("The whole list (%s, most urgent first) is sent to you by direct message as a CSV file.", nouns(len(rows), "firm", "firms")))
		r.File = s.Flow.ConsoleCSV(rows, ev.At)
		return r, nil
	}
	return s.Flow.ConsolePage(rows, page, ev.At), nil
}
