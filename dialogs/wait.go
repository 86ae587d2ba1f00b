package dialogs

import (
	"fmt"
	"strings"
	"time"
)

// Wait is what a step waits on: an outside party (the clearing firm, the
// CAT Helpdesk, FINRA CAT), with the team's reference and the day to
// follow up. A step has at most one; it ends when the step is confirmed
// or someone clears it.
type Wait struct {
	Who string `json:"who"`
	Ref string `json:"ref,omitempty"`
	// FollowUp is the day (YYYY-MM-DD) subscribed channels are reminded.
	FollowUp string    `json:"follow,omitempty"`
	Since    time.Time `json:"since"`
	User     string    `json:"user"`
}

// Wait form field ids.
const (
	WaitWho      = "who"
	WaitRef      = "ref"
	WaitFollowUp = "follow_up"
)

// Limits of the wait form.
const (
	maxWaitWho    = 100
	maxWaitRef    = 200
	maxFollowUpIn = 3 * 366 // days ahead
)

// waitForm is the "Waiting on" form, pre-filled with the step's wait.
func waitForm(w Wait, today time.Time) Form {
	follow := w.FollowUp
	if follow == "" {
		follow = today.AddDate(0, 0, 7).Format(time.DateOnly)
	}
	return Form{Title: "Waiting on someone", Submit: "Save", Fields: []Field{
		{ID: WaitWho, Kind: FieldText, Label: "Who are you waiting on?", Placeholder: "e.g. our clearing firm, the CAT Helpdesk", MaxLen: maxWaitWho, Value: w.Who},
		{ID: WaitRef, Kind: FieldText, Label: "Reference", Hint: "A ticket or case number, an email subject — whatever finds it again.", Optional: true, MaxLen: maxWaitRef, Value: w.Ref},
		{ID: WaitFollowUp, Kind: FieldDate, Label: "Follow up on", Hint: fmt.Sprintf("Channels that get deadline announcements are reminded on this day at %02d:00.", AnnounceHour), Value: follow},
	}}
}

// waitClick opens the wait form of the current step, or records what it
// submitted: a new wait, or a change of the one there.
func (f *Flow) waitClick(p Progress, ev Event) Result {
	t, cur := ev.Token, f.current(p)
	if t.Step != cur.ID || t.Version < p.Opened || cur.IsOutcome() {
		return f.stale(p, ev)
	}
	today := ev.At.In(f.Loc)
	old, had := p.Waits[cur.ID]
	form := waitForm(old, today)
	if !ev.Submitted {
		return Result{Reply: Reply{Title: form.Title, Form: &form, FormToken: t.String()}}
	}
	w, problem := f.readWait(form, ev.Values, today)
	if problem != nil {
		for i := range form.Fields {
			form.Fields[i].Value = ev.Values[form.Fields[i].ID]
		}
		r := Reply{Title: form.Title, Form: &form, FormToken: t.String()}
		problem.into(&r)
		return Result{Reply: r}
	}
	w.Since, w.User = ev.At.UTC(), ev.User
	if had && strings.EqualFold(old.Who, w.Who) {
		w.Since = old.Since // the same party: still waiting since then
	}
	if had && old.Who == w.Who && old.Ref == w.Ref && old.FollowUp == w.FollowUp {
		reply := f.CardFor(p, ev.At, ev.User)
		reply.Replace = true
		reply.context("The wait was already recorded like this. Nothing was changed.")
		return Result{Reply: reply}
	}
	next := nextOf(p)
	verb := "set"
	if had {
		verb = "changed"
	}
	detail := StartWait(&next, cur.ID, w.Who, w.Ref, w.FollowUp, ev)
	next.Waits[cur.ID] = Wait{Who: w.Who, Ref: w.Ref, FollowUp: w.FollowUp, Since: w.Since, User: ev.User}
	e := Entry{Action: ActWait, Step: cur.ID, Card: t.Version, Detail: verb + ": " + detail}
	reply := f.CardFor(next, ev.At, ev.User)
	reply.Replace = true
	reply.Public = fmt.Sprintf("%s noted that **%s** is waiting on %s (follow-up %s).", Mention(ev.User), cur.Heading(), Lit(w.Who), f.day(w.FollowUp))
	return f.change(p, next, ev, e, reply)
}

// readWait validates a submitted wait form: the fields, then a follow-up
// date from today on and not years ahead.
func (f *Flow) readWait(form Form, values map[string]string, today time.Time) (Wait, *formProblem) {
	v, problem := readFields(form, values)
	if day, err := ParseDay(v[WaitFollowUp]); err == nil {
		if p := followUpDayProblem(v[WaitFollowUp], today); p != nil {
			problem = problem.with(p)
		} else if daysBetween(today, day) > maxFollowUpIn {
			problem = problem.with(&formProblem{Field: WaitFollowUp, Message: "Choose a follow-up date within three years."})
		}
	}
	if problem != nil {
		return Wait{}, problem
	}
	return Wait{Who: v[WaitWho], Ref: v[WaitRef], FollowUp: v[WaitFollowUp]}, nil
}

// StartWait makes step wait on who in next, the progress a transition is
// building, as of ev: ref is the team's reference and followUp the day
// (YYYY-MM-DD) to remind subscribed channels; both may be empty. A wait
// already on the step is replaced. It returns the words that describe the
// wait in the transition's audit entry, e.g.
//
//	detail := dialogs.StartWait(&next, "certify_agent", "FINRA CAT", ref, "", ev)
//	e := dialogs.Entry{Action: dialogs.ActConfirm, …, Detail: label + "; " + detail}
func StartWait(next *Progress, step, who, ref, followUp string, ev Event) string {
	if next.Waits == nil {
		next.Waits = map[string]Wait{}
	}
	next.Waits[step] = Wait{Who: who, Ref: ref, FollowUp: followUp, Since: ev.At.UTC(), User: ev.User}
	return waitDetail(next.Waits[step])
}

// waitDetail is a wait in an audit entry's words.
func waitDetail(w Wait) string {
	d := "waiting on " + w.Who
	if w.Ref != "" {
		d += " (reference: " + w.Ref + ")"
	}
	if w.FollowUp != "" {
		d += ", follow-up " + w.FollowUp
	}
	return d
}

// endWait clears the wait of the card's step.
func (f *Flow) endWait(p Progress, ev Event) Result {
	t, cur := ev.Token, f.current(p)
	if t.Step != cur.ID || t.Version < p.Opened {
		return f.stale(p, ev)
	}
	w, ok := p.Waits[cur.ID]
	if !ok {
		reply := f.CardFor(p, ev.At, ev.User)
		reply.Parts = append([]Part{{Kind: Text, Text: cur.Short() + " is not waiting on anyone any more. Nothing was changed."}, {Kind: Divider}}, reply.Parts...)
		reply.Replace = true
		return Result{Reply: reply}
	}
	next := nextOf(p)
	delete(next.Waits, cur.ID)
	e := Entry{Action: ActWaitEnd, Step: cur.ID, Card: t.Version, Detail: "cleared: " + waitDetail(w) + " since " + w.Since.UTC().Format(time.RFC3339)}
	reply := f.CardFor(next, ev.At, ev.User)
	reply.Replace = true
	reply.Public = fmt.Sprintf("%s cleared the wait of **%s** on %s.", Mention(ev.User), cur.Heading(), Lit(w.Who))
	return f.change(p, next, ev, e, reply)
}

// endWaitOnConfirm ends the wait of a step being confirmed in next and
// returns the words the confirmation's audit entry adds ("" if none).
func endWaitOnConfirm(next *Progress, step string) string {
	w, ok := next.Waits[step]
	if !ok {
		return ""
	}
	delete(next.Waits, step)
	return "; ended the wait: " + waitDetail(w) + " since " + w.Since.UTC().Format(time.RFC3339)
}

// waitText shows a step's wait on its card.
func (f *Flow) waitText(w Wait, now time.Time) string {
	lines := []string{"**Waiting on " + Lit(w.Who) + " since " + longDate(w.Since.In(f.Loc)) + "**"}
	var more []string
	if w.Ref != "" {
		more = append(more, "Reference: "+Lit(w.Ref))
	}
	if w.FollowUp != "" {
		day, _ := time.ParseInLocation(time.DateOnly, w.FollowUp, f.Loc)
		more = append(more, "Follow-up: "+longDate(day)+" — "+daysLeft(daysBetween(now.In(f.Loc), day)))
	}
	if len(more) > 0 {
		lines = append(lines, strings.Join(more, " · "))
	}
	return strings.Join(lines, "\n")
}

// waitStatus is a step's wait as a line of the status card.
func (f *Flow) waitStatus(w Wait) string {
	s := "↳ Waiting on " + Lit(w.Who) + " since " + longDate(w.Since.In(f.Loc))
	if w.Ref != "" {
		s += " · reference " + Lit(w.Ref)
	}
	if w.FollowUp != "" {
		s += " · follow-up " + f.day(w.FollowUp)
	}
	return s
}

// waitActions are the card's buttons for the step's wait.
func (f *Flow) waitActions(s *Step, p Progress) []Action {
	label := "Waiting on someone…"
	_, had := p.Waits[s.ID]
	if had {
		label = "Waiting on: change…"
	}
	out := []Action{{Label: label, Secondary: true, Value: Token{Kind: KindWait, Step: s.ID, Version: p.Version}.String()}}
	if had {
		out = append(out, Action{Label: "Clear wait", Secondary: true, Value: Token{Kind: KindWaitEnd, Step: s.ID, Version: p.Version}.String()})
	}
	return out
}

// day writes a stored YYYY-MM-DD as "January 2, 2006".
func (f *Flow) day(s string) string {
	d, err := ParseDay(s)
	if err != nil {
		return Lit(s)
	}
	return longDate(d)
}

// waitEntryText is a wait's audit entry in history's words: "set a wait
// on Step 2: waiting on …", "changed the wait on …", "cleared the wait …".
func waitEntryText(w words, step string, e Entry) string {
	verb, rest, ok := strings.Cut(e.Detail, ": ")
	if !ok {
		return w.lit(e.Action + " " + e.Detail)
	}
	switch {
	case e.Action == ActWaitEnd:
		return "cleared the wait on " + step + ": " + w.lit(rest)
	case verb == "changed":
		return "changed the wait on " + step + ": " + w.lit(rest)
	}
	return "set a wait on " + step + ": " + w.lit(rest)
}
