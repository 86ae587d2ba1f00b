package dialogs

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// ActAgents is the audit action of a change to the firm's list of CAT
// Reporting Agents made without undoing Step 4.
const ActAgents = "agents"

// Form field ids of the settings forms.
const (
	targetField = "date"
	agentsField = "agents"
)

// settingsActions are a step card's buttons for the firm's settings: an
// admin's target date for the step (a date picker instead of typing the
// command), and the list of agents once the firm has named them.
func (f *Flow) settingsActions(s *Step, p Progress, viewer string) []Action {
	var out []Action
	if f.isAdmin(viewer) {
		label := "Set target date…"
		if _, _, set := f.targetOf(p, s); set {
			label = "Target date: change…"
		}
		out = append(out, Action{Label: label, Secondary: true, Value: Token{Kind: KindTarget, Step: s.ID, Version: p.Version}.String()})
	}
	if len(p.Agents()) > 0 {
		out = append(out, Action{Label: "Edit agents…", Secondary: true, Value: Token{Kind: KindAgents, Step: s.ID, Version: p.Version}.String()})
	}
	return out
}

// targetClick opens an admin's target-date form for the token's step, or
// sets the date it submitted as `deadline <step> <date>` would.
func (f *Flow) targetClick(p Progress, ev Event) Result {
	if !f.isAdmin(ev.User) {
		return f.refuse("set target dates")
	}
	s, ok := f.Roadmap.Step(ev.Token.Step)
	if !ok || s.IsOutcome() {
		return Result{Reply: Notice("Unknown step", "That button names no step of the roadmap. Nothing was changed.")}
	}
	_, was, _ := f.targetOf(p, s)
	form := Form{Title: "Target date", Submit: "Save", Fields: []Field{{ID: targetField, Kind: FieldDate,
		Label: "Target date for " + s.Short(), Value: was,
		Hint: "Your firm's internal plan; it does not replace the roadmap's dates. Subscribed channels are reminded 30, 14, 7 and 1 days before and on the day."}}}
	r := Reply{Title: form.Title, Form: &form, FormToken: ev.Token.String()}
	if !ev.Submitted {
		return Result{Reply: r}
	}
	v, problem := readFields(form, ev.Values)
	if problem == nil {
		problem = followUpProblem(v[targetField], ev.At.In(f.Loc))
	}
	if problem != nil {
		r.FormError, r.FormField = problem.Message, targetField
		return Result{Reply: r}
	}
	return f.SetDeadline(p, ev, []string{s.ID, v[targetField]})
}

// agentsClick opens the form that edits the firm's agents (filled with
// the current list), or records the list it submitted. A form opened
// before another change is refused rather than overwrite it unseen.
func (f *Flow) agentsClick(p Progress, ev Event) Result {
	old := p.Agents()
	at := slices.IndexFunc(p.Path, func(c Confirmation) bool { return len(c.Agents) > 0 })
	if at < 0 {
		return Result{Reply: Notice("No agents to edit", "Your firm has not named CAT Reporting Agents (Step 4). Nothing was changed.")}
	}
	form := Form{Title: "Reporting agents", Submit: "Save", Fields: []Field{{ID: agentsField, Kind: FieldMultiline,
		Label: f.Roadmap.Forms["agents"].Label, Hint: f.Roadmap.Forms["agents"].Hint, Value: strings.Join(old, "\n")}}}
	r := Reply{Title: form.Title, Form: &form, FormToken: ev.Token.String()}
	if !ev.Submitted {
		return Result{Reply: r}
	}
	if ev.Token.Version != p.Version {
		return Result{Reply: Notice("Agents not changed", "The firm's record changed since this form was opened. Nothing was changed: open the form again to see the current list.")}
	}
	agents, problem := ParseAgents(ev.Values[agentsField])
	if problem != "" {
		r.FormError, r.FormField = problem, agentsField
		return Result{Reply: r}
	}
	if slices.Equal(agents, old) {
		return Result{Reply: Notice("Agents unchanged", "The list is the one already recorded. Nothing was changed.")}
	}
	next := nextOf(p)
	next.Path[at].Agents = agents
	move, refusal := f.settleAgents(p, &next, addedAgents(old, agents))
	if refusal != "" {
		return Result{Reply: Notice("Agents not changed", refusal)}
	}
	names, _ := json.Marshal(agents) // as the Step 4 entry lists them
	e := Entry{Action: ActAgents, Card: ev.Token.Version, Detail: "now: " + string(names) + move}
	reply := f.CardFor(next, ev.At, ev.User)
	reply.Replace = true
	reply.Public = fmt.Sprintf("%s changed the firm's CAT Reporting Agents to %s (they were %s).%s", Mention(ev.User), f.fill("{agents}", next), f.fill("{agents}", p), f.movedLine(next, move))
	return f.change(p, next, ev, e, reply)
}

// movedLine tells the channel where an agents change moved the firm.
func (f *Flow) movedLine(next Progress, move string) string {
	s, ok := f.Roadmap.Step(next.Current)
	switch {
	case !ok:
		return ""
	case strings.HasPrefix(move, agentsBackTo):
		line := fmt.Sprintf(" Each agent is confirmed on its own, so the firm is back at **%s**: has **%s** certified for CAIS production?", s.Heading(), Name(pendingAgents(next, s)[0]))
		if strings.Contains(move, undoLeftWait) {
			line += " The wait set on the part it left ends with it."
		}
		return line
	case strings.HasPrefix(move, agentsOnTo):
		return fmt.Sprintf(" Every agent now named has been confirmed, so the firm moves on to **%s**.", s.Heading())
	}
	return ""
}
