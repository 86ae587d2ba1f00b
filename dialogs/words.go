package dialogs

import (
	"fmt"
	"strings"
	"time"
)

// completed reports whether the firm has finished what roadmap date d is
// about: it reached an outcome by confirming one of d's steps. Until then
// a passed date's Passed text still applies to it.
func (f *Flow) completed(p Progress, d Date) bool {
	if !f.current(p).IsOutcome() {
		return false
	}
	for _, id := range d.Steps {
		if _, ok := p.Confirmed(id); ok {
			return true
		}
	}
	return false
}

// passedNotices are the Passed texts of the roadmap dates that are
// history at now and still apply to the firm.
func (f *Flow) passedNotices(p Progress, now time.Time) []string {
	var out []string
	for _, id := range f.passedDates(p, now) {
		d, _ := f.Roadmap.Date(id)
		out = append(out, d.Passed)
	}
	return out
}

// passedDates are the ids of the dates whose Passed texts passedNotices
// gives.
func (f *Flow) passedDates(p Progress, now time.Time) []string {
	var out []string
	for _, d := range f.Roadmap.Dates {
		day, _ := time.ParseInLocation(time.DateOnly, d.Date, f.Loc)
		if d.Passed != "" && daysBetween(now.In(f.Loc), day) < 0 && !f.completed(p, d) {
			out = append(out, d.ID)
		}
	}
	return out
}

// obligations lists what continues after an outcome, each with its
// source and as-of date.
func obligations(s *Step) string {
	if len(s.Obligations) == 0 {
		return ""
	}
	lines := []string{"**Ongoing obligations**"}
	for _, n := range s.Obligations {
		lines = append(lines, "• "+n.String())
	}
	return strings.Join(lines, "\n")
}

// targetHint tells an admin how to set the firm's own target date for
// step s, while it has none; with no admins configured it says how an
// operator names them. Others are not told of a command they cannot use.
func (f *Flow) targetHint(s *Step, p Progress, viewer string) string {
	if s.IsOutcome() {
		return ""
	}
	if _, _, set := f.targetOf(p, s); set {
		return ""
	}
	switch {
	case len(f.Admins) == 0:
		return "Target dates for your firm's internal plan are set by admins, and none are configured yet: ask whoever runs caisbot to name them (its CAIS_ADMIN_USERS setting)."
	case f.isAdmin(viewer):
		return fmt.Sprintf("As an admin, you can set your firm's internal target date for %s: `{cmd} deadline %s YYYY-MM-DD`.", s.Short(), s.Number)
	}
	return ""
}

// statusFooter says how much the audit trail holds and the latest change,
// in words a compliance officer uses.
func (f *Flow) statusFooter(p Progress, now time.Time) string {
	parts := []string{nouns(int(p.Seq), "audit entry", "audit entries")}
	if l := p.Last; l != nil {
		parts = append(parts, fmt.Sprintf("latest change: %s %s on %s", Mention(l.User), f.describe(l), f.Stamp(l.At)))
	}
	return strings.Join(append(parts, "as of "+f.Stamp(now)), " · ")
}

// nouns is "1 entry", "2 entries": a count with the right form.
func nouns(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// cancelled answers a step's confirmation dialog answered "Cancel" where
// the platform sends that back (Teams): nothing is recorded, and the
// step's card comes back.
func (f *Flow) cancelled(p Progress, ev Event) Result {
	r := f.CardFor(p, ev.At, ev.User)
	r.Parts = append([]Part{{Kind: Context, Text: "Cancelled: nothing was recorded."}}, r.Parts...)
	r.Replace = true
	return Result{Reply: r}
}
