package dialogs

import (
	"fmt"
	"strings"
	"time"

	"github.com/caisbot/caisbot/internal/cache"
)

// current resolves the step or outcome the firm is on.
func (f *Flow) current(p Progress) *Step {
	if s, ok := f.Roadmap.Step(p.Current); ok {
		return s
	}
	s, _ := f.Roadmap.Step(f.Roadmap.Start)
	return s
}

// Card is the card for the firm's current step, as anyone may see it.
func (f *Flow) Card(p Progress, now time.Time) Reply { return f.CardFor(p, now, "") }

// CardFor is the card for the firm's current step as viewer sees it: an
// admin is also told how to set a target date for the step.
func (f *Flow) CardFor(p Progress, now time.Time, viewer string) Reply {
	s := f.current(p)
	r := Reply{Title: s.Heading(), Parts: make([]Part, 0, 5+len(s.Notes)), Actions: make([]Action, 0, len(s.Choices))}
	r.text(f.fill(f.fillAgent(s.Text, p, s), p))
	choices := s.Choices
	if p.Pending != nil && p.Pending.Confirmation.Step == s.ID {
		r.text(f.pendingText(s, *p.Pending))
		r.Actions = append(r.Actions, pendingActions(s, p)...)
		choices = nil // the answer is given; a principal decides
	} else if sb := p.SentBack; sb != nil && sb.Step == s.ID {
		r.text(f.sentBackText(s, *sb))
	}
	if s.Help {
		r.text(f.helpdesk())
	}
	if d := f.stepDates(s, p, now); d != "" {
		r.text(d)
	}
	if w, ok := p.Waits[s.ID]; ok {
		r.text(f.waitText(w, now))
	}
	if ev := p.Evidence[s.ID]; len(ev) > 0 {
		r.text(strings.Join(f.evidenceLines(ev), "\n"))
	}
	if o := obligations(s); o != "" {
		r.text(o)
	}
	if h := f.targetHint(s, p, viewer); h != "" {
		r.context(h)
	}
	for _, n := range s.Notes {
		r.context(n.String())
	}
	if len(s.Refs) > 0 {
		r.context("References: " + strings.Join(s.Refs, " · "))
	}
	if !s.Help { // a help card shows the Helpdesk once, in its text
		r.context("CAT Helpdesk: " + f.Roadmap.Helpdesk.Phone + " · " + f.Roadmap.Helpdesk.Email)
	}
	for _, c := range choices {
		a := Action{Label: c.Label, Value: Token{Kind: KindChoose, Step: s.ID, Choice: c.ID, Version: p.Version}.String(), Confirm: c.Confirm}
		if c.Primary {
			a.Style = Primary
		}
		a.Secondary = c.Help
		r.Actions = append(r.Actions, a)
	}
	if !s.IsOutcome() {
		r.Actions = append(r.Actions, f.waitActions(s, p)...)
		r.Actions = append(r.Actions, evidenceAction(s.ID, p))
		r.Actions = append(r.Actions, f.settingsActions(s, p, viewer)...)
	}
	return r
}

// fill substitutes the firm's agents into a step's text.
func (f *Flow) fill(text string, p Progress) string {
	names := p.Agents()
	agents := "your CAT Reporting Agent(s)"
	if len(names) > 0 {
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = "**" + Name(n) + "**"
		}
		agents = strings.Join(quoted, ", ")
	}
	return strings.TrimSpace(strings.ReplaceAll(text, "{agents}", agents))
}

func (f *Flow) helpdesk() string {
	h := f.Roadmap.Helpdesk
	return fmt.Sprintf("**FINRA CAT Helpdesk:** %s · %s", h.Phone, h.Email)
}

// stepDates shows the roadmap's dates for a step — an opening "opened",
// a deadline with its days left or "passed" — the firm's own target date
// for it, and what a passed date means for a firm not yet done.
func (f *Flow) stepDates(s *Step, p Progress, now time.Time) string {
	var lines, passed []string
	now = now.In(f.Loc)
	for _, id := range s.Dates {
		d, _ := f.Roadmap.Date(id)
		day := f.roadmapDay(d.Date)
		left := daysBetween(now, day.t)
		line := "• " + d.Label + ": " + day.long
		if d.Kind != "milestone" || left >= 0 {
			line += " — " + daysLeft(left)
		}
		lines = append(lines, line)
		if left < 0 && d.Passed != "" && !f.completed(p, d) {
			passed = append(passed, d.Passed)
		}
	}
	if _, t, ok := f.targetOf(p, s); ok {
		when, _ := time.ParseInLocation(time.DateOnly, t, f.Loc)
		lines = append(lines, "**Your target for "+s.Short()+":** "+longDate(when)+" — "+daysLeft(daysBetween(now, when)))
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(append([]string{"**Dates**\n" + strings.Join(lines, "\n")}, passed...), "\n")
}

// daysBetween counts calendar days from now's date to day (negative: past).
func daysBetween(now, day time.Time) int {
	a := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

func daysLeft(n int) string {
	switch {
	case n < 0:
		return "passed"
	case n == 0:
		return "today"
	case n == 1:
		return "1 day left"
	}
	return fmt.Sprintf("%d days left", n)
}

func longDate(t time.Time) string { return t.Format("January 2, 2006") }

// shownDay is a roadmap date read in a zone, and as cards write it.
type shownDay struct {
	t    time.Time
	long string
}

type zonedDate struct {
	date string
	loc  *time.Location
}

// roadmapDays keeps the roadmap's dates read (they are few and fixed, and
// every card shows its step's).
var roadmapDays cache.Map[zonedDate, shownDay]

// roadmapDay is a roadmap's YYYY-MM-DD date (validated at load) in f's zone.
func (f *Flow) roadmapDay(date string) shownDay {
	k := zonedDate{date, f.Loc}
	if d, ok := roadmapDays.Get(k); ok {
		return d
	}
	t, _ := time.ParseInLocation(time.DateOnly, date, f.Loc)
	d := shownDay{t, longDate(t)}
	roadmapDays.Put(k, d, cache.Limit{Max: 1024})
	return d
}

// Stamp formats an instant for people in the bot's zone.
func (f *Flow) Stamp(t time.Time) string { return t.In(f.Loc).Format("Jan 2, 2006 at 3:04 PM MST") }

// Status lists every step with its state and who confirmed it, when.
func (f *Flow) Status(p Progress, now time.Time) Reply {
	r := Reply{Title: "CAIS onboarding status"}
	cur := f.current(p)
	ahead := map[string]bool{}
	if !cur.IsOutcome() {
		ahead = f.Roadmap.ahead(cur.ID)
	}
	r.text(profileStatus(p))
	var lines []string
	for i := range f.Roadmap.Steps {
		s := &f.Roadmap.Steps[i]
		lines = append(lines, f.statusLine(s, cur, ahead, p))
		if w, ok := p.Waits[s.ID]; ok {
			line := f.waitStatus(w)
			if s.ID != cur.ID { // left by an undo written before undos ended it
				line += " · not followed up: the firm is not on this step"
			}
			lines = append(lines, line)
		}
		if sb := p.SentBack; sb != nil && sb.Step == s.ID && s.ID == cur.ID {
			lines = append(lines, fmt.Sprintf("↳ Sent back by %s on %s: “%s”", Mention(sb.By), f.Stamp(sb.At), Lit(sb.Reason)))
		}
		lines = append(lines, f.evidenceLines(p.Evidence[s.ID])...)
	}
	r.text(strings.Join(lines, "\n"))
	if cur.IsOutcome() {
		r.text("**Outcome:** " + cur.Title)
	}
	r.context(f.statusFooter(p, now))
	r.Actions = []Action{{Label: "Open next step", Style: Primary, Value: Token{Kind: KindOpen, Version: p.Version}.String()}}
	return r
}

func (f *Flow) statusLine(s, cur *Step, ahead map[string]bool, p Progress) string {
	h := "**" + s.Heading() + "**"
	// The current step is open even if an earlier pass confirmed it (a
	// path that loops back, like reopening Step 1).
	if s.ID == cur.ID {
		if pe := p.Pending; pe != nil && pe.Confirmation.Step == s.ID {
			return fmt.Sprintf("⏳ %s — awaits approval: %s, confirmed by %s on %s; principals who can approve it: %s", h, answer(s, pe.Confirmation.Choice), Mention(pe.Confirmation.User), f.Stamp(pe.Confirmation.At), orNobody(f.approvers(pe.Confirmation.User)))
		}
		if s.PerAgent && len(p.Agents()) > 0 {
			return "➡️ " + h + " — next (" + f.agentsConfirmed(p, s) + ")"
		}
		return "➡️ " + h + " — next"
	}
	if c, legacy, ok := f.confirmation(p, s); ok {
		old, _ := f.Roadmap.Step(c.Step)
		line := fmt.Sprintf("✅ %s — %s, confirmed by %s on %s%s", h, answer(old, c.Choice), Mention(c.User), f.Stamp(c.At), f.approvedText(c))
		if each := f.agentConfirmations(p, s); s.PerAgent && each != "" {
			line = fmt.Sprintf("✅ %s — %s: %s", h, answer(old, c.Choice), each)
		}
		if legacy != "" {
			line += " (" + legacy + ")"
		}
		return line
	}
	switch {
	case ahead[s.ID]:
		return "⬜ " + h + " — open"
	}
	return "➖ " + h + " — not reached on the answers recorded"
}

// answer is the label of a stored answer; one no longer in the roadmap
// (a replaced roadmap file) is shown by its id.
func answer(s *Step, choice string) string {
	if s != nil {
		if c, ok := s.Choice(choice); ok {
			return c.Label
		}
		for _, r := range s.Retired {
			if r.ID == choice {
				return r.Label
			}
		}
	}
	return Lit(choice)
}

// The help's line on roles, where a command changes them and where the
// operator's lists alone do (Event.RolesByOperator).
const (
	rolesHelp           = "`{cmd} admins` / `{cmd} principals` — who they are; `add @name` or `remove @name` changes them (admins)"
	rolesHelpByOperator = "`{cmd} admins` / `{cmd} principals` — who they are (here the operator sets them: CAIS_ADMIN_USERS, CAIS_PRINCIPALS)"
)

// HelpFor is Help as the event's platform can act on it.
func (f *Flow) HelpFor(ev Event, unknown string) Reply {
	r := f.Help(unknown)
	if ev.RolesByOperator {
		for i := range r.Parts {
			r.Parts[i].Text = strings.Replace(r.Parts[i].Text, rolesHelp, rolesHelpByOperator, 1)
		}
	}
	return r
}

// Help lists the commands; unknown names what was not understood.
func (f *Flow) Help(unknown string) Reply {
	r := Reply{Title: "caisbot — CAIS onboarding, step by step"}
	if unknown != "" {
		r.text(fmt.Sprintf("Unknown command: `%s`. Here is what I understand:", Lit(unknown)))
	}
	r.text(strings.Join([]string{
		"`{cmd}` — the card for your firm's next step",
		"`{cmd} status` — every step, who confirmed it and when",
		"`{cmd} history` — the latest audit entries",
		"`{cmd} export` — the full audit trail as a CSV file",
		"`{cmd} packet` — the exam packet: a zip with a PDF summary, the audit trail and the roadmaps, checkable without caisbot",
		"`{cmd} verify` — check the audit trail (its hash chain, and that the progress is what it records)",
		"`{cmd} deadlines` — roadmap dates and your own target dates",
		"`{cmd} evidence <step>` — add evidence (a reference, a link, a note) to the current step or a confirmed one",
		"`{cmd} profile` — the firm's legal name and CRD number, used in status and exports (admins)",
		"`{cmd} deadline <step> <YYYY-MM-DD>` — set your target date for a step (admins)",
		"`{cmd} deadline <step> clear` — remove the target date for a step (admins)",
		"`{cmd} announce` / `{cmd} announce off` — deadline reminders in this channel (admins)",
		"`{cmd} undo` — reopen the latest confirmed step, or withdraw an answer awaiting approval (admins)",
		"`{cmd} reset` — start over, after a confirmation (admins)",
		rolesHelp,
		"`{cmd} firms` — every firm of this workspace, most urgent first, with a CSV sent to you (admins; when each channel is a firm)",
		"`{cmd} help` — this list",
	}, "\n"))
	r.context(fmt.Sprintf("Source: %s. CAT Helpdesk: %s · %s", f.Roadmap.Source, f.Roadmap.Helpdesk.Phone, f.Roadmap.Helpdesk.Email))
	return r
}

// Notice is a short reply with no card.
func Notice(title, text string) Reply {
	r := Reply{Title: title}
	r.text(text)
	return r
}
