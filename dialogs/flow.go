package dialogs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Flow is the pure transition logic: (progress, event, time) → (new
// progress, reply). It performs no I/O.
type Flow struct {
	Roadmap *Roadmap
	// Admins may undo, reset, set deadlines and subscribe channels.
	Admins []string
	// Principals approve the answers the roadmap marks approval: true
	// (maker-checker, approval.go); none: no answer needs approval.
	Principals []string
	Loc        *time.Location
}

// Event is one thing a user did.
type Event struct {
	User string
	// Name is the actor's display name as the platform showed it with
	// this event; the audit entry records it.
	Name    string
	Channel string
	At      time.Time
	// A button click carries its token; a form submission adds Input
	// and sets Submitted.
	Token     Token
	Input     string
	Submitted bool
	// Values are a submitted form's fields by id, for forms with Fields.
	Values map[string]string
	// A command carries its parsed words instead.
	Command *Command
	// Names looks up display names the platform knows now, for entries
	// that recorded none (the exam packet); nil: none known.
	Names NameBook
	// Place is the workspace (and channel) name as the platform shows
	// it; it names the exam packet of a firm with no profile ("": unknown).
	Place string
	// Channels names the workspace's channels for the bureau console
	// (`firms`); nil: channel ids are shown.
	Channels ChannelBook
	// RolesByOperator says roles cannot be changed by command where the
	// event came from (Teams: a mention carries no Entra object id), so
	// help and the roles list do not offer it.
	RolesByOperator bool
}

// NameBook gives a user's display name as the platform shows it now
// (Slack users.info, Teams' stored person); ok is false when unknown.
type NameBook interface {
	DisplayName(ctx context.Context, user string) (name string, ok bool)
}

// Result is the outcome of an event. Next is nil when nothing changes;
// otherwise Entry describes the change for the audit trail.
type Result struct {
	Next  *Progress
	Entry Entry
	Reply Reply
}

func (f *Flow) isAdmin(user string) bool { return slices.Contains(f.Admins, user) }

// refuse names who can act, so a non-admin knows whom to ask.
func (f *Flow) refuse(what string) Result {
	if len(f.Admins) == 0 {
		return Result{Reply: Notice("Admins only", fmt.Sprintf("Only admins can %s, and no admins are configured yet: ask whoever runs caisbot to name them (its CAIS_ADMIN_USERS setting). Nothing was changed.", what))}
	}
	names := make([]string, len(f.Admins))
	for i, a := range f.Admins {
		names[i] = Mention(a)
	}
	return Result{Reply: Notice("Admins only", fmt.Sprintf("Only admins can %s: %s. Nothing was changed.", what, strings.Join(names, ", ")))}
}

// change builds a committed result: the next version and its audit entry.
func (f *Flow) change(p Progress, next Progress, ev Event, e Entry, reply Reply) Result {
	next.Version = p.Version + 1
	if movesSteps(e.Action) {
		next.Opened = next.Version
		if e.Action != ActSendBack {
			next.SentBack = nil // shown until the firm next moves
		}
	}
	next.Last = &Change{Action: e.Action, Step: e.Step, User: ev.User, At: ev.At}
	if e.Action == ActReopen {
		next.Last.Choice = e.Choice
	}
	e.User, e.At, e.Version = ev.User, ev.At.UTC(), next.Version
	return Result{Next: &next, Entry: e, Reply: reply}
}

// Click handles a button or form submission.
func (f *Flow) Click(p Progress, ev Event) Result {
	switch ev.Token.Kind {
	case KindOpen, KindFirm:
		return Result{Reply: f.CardFor(p, ev.At, ev.User)}
	case KindCancel:
		if ev.Token.Step != "" {
			return f.cancelled(p, ev)
		}
		r := Notice("Reset cancelled", "Nothing was changed.")
		r.Replace = true
		return Result{Reply: r}
	case KindReset:
		if !f.isAdmin(ev.User) {
			return f.refuse("reset the roadmap")
		}
		return f.reset(p, ev)
	case KindWait:
		return f.waitClick(p, ev)
	case KindWaitEnd:
		return f.endWait(p, ev)
	case KindTarget:
		return f.targetClick(p, ev)
	case KindAgents:
		return f.agentsClick(p, ev)
	case KindEvidence:
		return f.evidenceClick(p, ev)
	case KindProfile:
		return f.profileClick(p, ev)
	case KindApprove:
		return f.approve(p, ev)
	case KindSendBack:
		return f.sendBack(p, ev)
	}
	return f.choose(p, ev)
}

func (f *Flow) choose(p Progress, ev Event) Result {
	t := ev.Token
	cur := f.current(p)
	if t.Step != cur.ID || t.Version < p.Opened {
		return f.stale(p, ev)
	}
	c, ok := cur.Choice(t.Choice)
	if !ok {
		return Result{Reply: Notice("Unknown answer", "That button is not part of this step. Nothing was changed.")}
	}
	if c.Help {
		return Result{Reply: f.help(cur, c)}
	}
	if f.reopens(cur, c) {
		return f.reopen(p, ev, cur, c)
	}
	if p.Pending != nil {
		return f.stale(p, ev) // the step's answer awaits approval
	}
	conf := Confirmation{Step: cur.ID, Choice: c.ID, User: ev.User, At: ev.At.UTC()}
	values, ask := f.choiceForm(c, ev, &conf)
	if ask != nil {
		return Result{Reply: *ask}
	}
	if f.needsApproval(c) {
		return f.submit(p, ev, cur, c, Pending{Confirmation: conf, Ref: values[WaitRef], FollowUp: values[WaitFollowUp]})
	}
	next, conf, detail := f.advance(p, cur, c, conf, values[WaitRef], values[WaitFollowUp])
	e := Entry{Action: ActConfirm, Step: cur.ID, Choice: c.ID, Card: t.Version, Detail: detail}
	reply := f.CardFor(next, ev.At, ev.User)
	reply.Replace = true
	reply.Public = fmt.Sprintf("%s confirmed **%s** — %s (answer: %s).", Mention(ev.User), cur.Heading(), doneText(c, conf), c.Label)
	if len(conf.Agents) > 0 {
		reply.Public += " Agents: " + f.fill("{agents}", next) + "."
	}
	return f.change(p, next, ev, e, reply)
}

// advance is answer c to step cur taking effect, as confirmed by conf
// (clicked, or approved: approval.go): the confirmation joins the path,
// the step's wait ends, the firm moves where the answer leads, and a
// wait the answer starts begins as of the confirmation, with the
// reference and follow-up its form gave. It returns the next progress,
// the confirmation as the path keeps it and the entry's detail.
func (f *Flow) advance(p Progress, cur *Step, c *Choice, conf Confirmation, ref, followUp string) (Progress, Confirmation, string) {
	next := nextOf(p)
	next.Current = c.Next
	if cur.PerAgent {
		perAgent(p, cur, &conf, &next)
	}
	next.Path = append(next.Path, conf)
	detail := c.Label
	if conf.Agent != "" {
		detail += ": " + conf.Agent
	}
	if len(conf.Agents) > 0 {
		names, _ := json.Marshal(conf.Agents) // a list, unambiguous whatever the names hold
		detail += ": " + string(names)
	}
	detail += endWaitOnConfirm(&next, cur.ID)
	if c.WaitsOn != "" {
		detail += "; " + StartWait(&next, c.Next, c.WaitsOn, ref, followUp, Event{User: conf.User, At: conf.At})
	}
	return next, conf, detail
}

// help answers a "Not sure" / "Need help" click: the Helpdesk, no change.
func (f *Flow) help(s *Step, c *Choice) Reply {
	r := Reply{Title: s.Heading() + " — help"}
	if c.Reply != "" {
		r.text(c.Reply)
	}
	r.text(f.helpdesk())
	r.context("Nothing was changed; the step stays open.")
	return r
}

// stale tells a late clicker what happened instead, and shows the truth.
func (f *Flow) stale(p Progress, ev Event) Result {
	what := "This card is out of date."
	if s, ok := f.Roadmap.Step(ev.Token.Step); ok {
		what = s.Short() + " is no longer the current step."
		if l := p.Last; s.ID == f.current(p).ID && l != nil && (movesSteps(l.Action) || l.Action == ActAgents) {
			what = fmt.Sprintf("This card is from before %s %s on %s.", Mention(l.User), f.describe(l), f.Stamp(l.At))
		} else if l != nil && s.ID == f.current(p).ID {
			// A settings change since does not explain the reopening.
			what = fmt.Sprintf("This card is from an earlier visit of %s, before it was reopened (latest change: %s %s on %s).", s.Short(), Mention(l.User), f.describe(l), f.Stamp(l.At))
		} else if c, ok := p.Confirmed(s.ID); ok {
			what = f.alreadyDone(s, c)
		} else if l := p.Last; l != nil {
			what = fmt.Sprintf("%s is no longer the current step: %s %s on %s.", s.Short(), Mention(l.User), f.describe(l), f.Stamp(l.At))
		}
	}
	reply := f.CardFor(p, ev.At, ev.User)
	reply.Parts = append([]Part{{Kind: Text, Text: "⚠️ " + what + " Nothing was changed. Here is the current step."}, {Kind: Divider}}, reply.Parts...)
	reply.Replace = true
	return Result{Reply: reply}
}

// movesSteps tells the changes that move the firm between steps, or
// change what its current step asks for (submitted for approval, sent
// back): cards drawn before them are stale.
func movesSteps(action string) bool {
	switch action {
	case ActConfirm, ActUndo, ActReset, ActReopen, ActSubmit, ActApprove, ActSendBack:
		return true
	}
	return false
}

func (f *Flow) describe(c *Change) string {
	name, outcome := c.Step, false
	if s, ok := f.Roadmap.Step(c.Step); ok {
		name, outcome = s.Short(), s.IsOutcome()
	}
	switch c.Action {
	case ActUndo:
		if outcome {
			return "returned the firm to " + name
		}
		return "reopened " + name
	case ActReset:
		return "reset the roadmap"
	case ActConfirm:
		return "confirmed " + name
	case ActWait:
		return "noted what " + name + " is waiting on"
	case ActWaitEnd:
		return "cleared the wait of " + name
	case ActEvidence:
		return "added evidence to " + name
	case ActProfile:
		return "changed the firm profile"
	case ActAgents:
		return "changed the firm's CAT Reporting Agents"
	case ActSubmit:
		return "confirmed " + name + " for approval"
	case ActApprove:
		return "approved " + name
	case ActSendBack:
		return "sent " + name + " back"
	case ActReopen:
		if to := f.reopened(c.Step, c.Choice); to != nil {
			return "reopened " + to.Short()
		}
		return "reopened a step from " + name
	}
	return "changed the firm's settings (" + c.Action + ")"
}

// ParseAgents reads the agents form: one name per line (names such as
// "Pershing, LLC" keep their commas), trimmed, deduplicated ignoring case
// (the first spelling is kept). problem is a
// message for the user.
func ParseAgents(input string) (agents []string, problem string) {
	const maxAgents, maxName = 10, 100
	fields := strings.FieldsFunc(input, func(r rune) bool { return r == '\n' || r == '\r' })
	for _, a := range fields {
		a = strings.Join(strings.Fields(a), " ")
		switch {
		case !strings.ContainsFunc(a, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) || slices.ContainsFunc(agents, func(b string) bool { return strings.EqualFold(a, b) }):
			continue // blank or punctuation-only lines name nobody
		case len([]rune(a)) > maxName:
			return nil, fmt.Sprintf("Each agent name must be at most %d characters.", maxName)
		}
		agents = append(agents, a)
	}
	switch {
	case len(agents) == 0:
		return nil, "Name at least one CAT Reporting Agent."
	case len(agents) > maxAgents:
		return nil, fmt.Sprintf("Name at most %d agents.", maxAgents)
	}
	return agents, ""
}

// nextOf starts the progress that follows p, version included, so cards
// rendered from it carry the version they will be clicked against.
func nextOf(p Progress) Progress {
	next := p.Clone()
	next.Version = p.Version + 1
	return next
}

// plural is "1 confirmation", "2 confirmations".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
