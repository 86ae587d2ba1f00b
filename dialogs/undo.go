package dialogs

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Undo reopens the latest confirmed step (admins).
func (f *Flow) Undo(p Progress, ev Event) Result {
	if !f.isAdmin(ev.User) {
		return f.refuse("undo a confirmation")
	}
	if p.Pending != nil {
		return f.withdraw(p, ev)
	}
	if len(p.Path) == 0 {
		return Result{Reply: Notice("Nothing to undo", "No step has been confirmed yet. Nothing was changed.")}
	}
	last := p.Path[len(p.Path)-1]
	// A step missing from a replaced roadmap file is named by its id.
	s, ok := f.Roadmap.Step(last.Step)
	short, heading := last.Step, last.Step
	if ok {
		short, heading = s.Short(), s.Heading()
	}
	next := nextOf(p)
	next.Path = next.Path[:len(next.Path)-1]
	next.Current = last.Step
	move := ""
	if ok {
		move = f.pastEveryAgent(&next, s) // the agent it confirmed was removed since
	}
	left, leftLine := f.leaveWait(&next, p.Current)
	outcome := ok && s.IsOutcome() // an outcome's answer (Reopen Step 1) withdrawn: back to the outcome
	e := Entry{Action: ActUndo, Step: last.Step, Choice: last.Choice, Detail: undoDetail(short, answer(s, last.Choice), last, outcome) + undoneAgent(last) + left + move}
	reply := f.CardFor(next, ev.At, ev.User)
	what := ""
	if last.Agent != "" { // a per-agent confirmation: say whose is withdrawn
		what = " for **" + Name(last.Agent) + "**"
	}
	reply.Public = fmt.Sprintf("%s reopened **%s** (it had been confirmed%s by %s on %s%s).%s%s", Mention(ev.User), heading, what, Mention(last.User), f.Stamp(last.At), f.approvedText(last), f.movedLine(next, move), leftLine)
	if outcome {
		reply.Public = fmt.Sprintf("%s withdrew “%s” (chosen by %s on %s): the firm is back at **%s**.%s", Mention(ev.User), answer(s, last.Choice), Mention(last.User), f.Stamp(last.At), heading, leftLine)
	}
	return f.change(p, next, ev, e, reply)
}

// undoDetail is an undo's entry detail: what it reopened (or, for an
// outcome's answer, the outcome it returned to) and the confirmation it
// withdrew — who, when, and who approved it.
func undoDetail(short, answered string, last Confirmation, outcome bool) string {
	was := fmt.Sprintf("%s, by %s at %s", answered, last.User, last.At.UTC().Format(time.RFC3339))
	if last.Approver != "" {
		was += fmt.Sprintf(", approved by %s at %s", last.Approver, last.ApprovedAt.UTC().Format(time.RFC3339))
	}
	if outcome {
		return fmt.Sprintf("returned to %s (withdrew: %s)", short, was)
	}
	return fmt.Sprintf("reopened %s (was: %s)", short, was)
}

// undoneAgent names, in an undo's detail, the agent whose per-agent
// confirmation is withdrawn ("; agent: ["Acme"]"), as JSON like a
// confirmation's agents, with ';' escaped too: replay reads the move
// after it ("; on to: …"), which a typed name must never imitate.
func undoneAgent(c Confirmation) string {
	if c.Agent == "" {
		return ""
	}
	b, _ := json.Marshal([]string{c.Agent})
	return "; agent: " + strings.ReplaceAll(string(b), ";", `\u003b`)
}

// undoLeftWait marks, in an undo's detail, the step whose wait ended
// because the undo took the firm off it ("; ended the wait on <step>").
// Replay reads it rather than guessing: undos written before it left such
// a wait in place.
const undoLeftWait = "; ended the wait on "

// leaveWait ends the wait of was, the step the firm stood on before an
// undo, if the undo took the firm off it: a wait (such as the one a
// request for certification starts on FINRA CAT) belongs to a step the
// firm is on, and its follow-up reminder must not outlive the answer
// that was withdrawn. It returns the detail's marker and the words for
// the channel line.
func (f *Flow) leaveWait(next *Progress, was string) (marker, line string) {
	w, ok := next.Waits[was]
	if marker = endLeftWait(next, was); !ok || marker == "" {
		return "", ""
	}
	short := was // a step a replaced roadmap no longer has
	if s, ok := f.Roadmap.Step(was); ok {
		short = s.Short()
	}
	return marker, fmt.Sprintf(" The wait on %s for %s ends with it.", Lit(w.Who), short)
}
