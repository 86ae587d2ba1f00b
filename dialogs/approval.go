package dialogs

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Maker-checker. With principals configured (Flow.Principals, from
// CAIS_PRINCIPALS), an answer the roadmap marks approval: true takes two
// moves: a team member confirms it (ActSubmit; the step stays current,
// its card says it awaits approval), then a principal other than that
// person approves it (ActApprove: the confirmation takes effect exactly
// as a plain one would have, as of its confirmation, naming the approver)
// or sends it back with a reason (ActSendBack: the step is open again).
// The person who confirmed may send their own answer back (withdraw it,
// with a reason), never approve it; an admin's undo withdraws it too.

// Pending is an answer awaiting approval: the confirmation as it will
// join the path, and the wait its form gave (a choice with waits_on).
type Pending struct {
	Confirmation Confirmation `json:"conf"`
	Ref          string       `json:"ref,omitempty"`
	FollowUp     string       `json:"follow,omitempty"`
}

// SentBack is an answer a principal sent back: who had confirmed it,
// who sent it back, when and why.
type SentBack struct {
	Step   string    `json:"step"`
	Choice string    `json:"choice"`
	User   string    `json:"user"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// SendBackReason is the send-back form's field; maxReason bounds it.
const (
	SendBackReason = "reason"
	maxReason      = 500
)

func (f *Flow) isPrincipal(user string) bool { return slices.Contains(f.Principals, user) }

// needsApproval tells an answer that must be approved before it counts.
func (f *Flow) needsApproval(c *Choice) bool { return c.Approval && len(f.Principals) > 0 }

// approvers are the principals who may approve what confirmer confirmed.
func (f *Flow) approvers(confirmer string) []string {
	var out []string
	for _, p := range f.Principals {
		if p != confirmer {
			out = append(out, p)
		}
	}
	return out
}

// mentions names users, comma-separated.
func mentions(users []string) string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = Mention(u)
	}
	return strings.Join(out, ", ")
}

// submit records answer c to step s as awaiting approval: the step stays
// current and its card asks a principal to decide.
func (f *Flow) submit(p Progress, ev Event, s *Step, c *Choice, pend Pending) Result {
	next := nextOf(p)
	next.Pending = &pend
	e := Entry{Action: ActSubmit, Step: s.ID, Choice: c.ID, Card: ev.Token.Version, Detail: submitDetail(c, pend)}
	reply := f.CardFor(next, ev.At, ev.User)
	reply.Replace = true
	reply.Public = fmt.Sprintf("%s confirmed **%s** (answer: %s); it awaits approval by a principal: %s.", Mention(ev.User), s.Heading(), c.Label, mentions(f.approvers(ev.User)))
	if len(f.approvers(ev.User)) == 0 {
		reply.Public = fmt.Sprintf("%s confirmed **%s** (answer: %s); it awaits approval by a principal other than %s, and none is configured yet: %s.", Mention(ev.User), s.Heading(), c.Label, Mention(ev.User), addPrincipal)
	}
	return f.change(p, next, ev, e, reply)
}

// submitDetail is a submission in its entry's words: the answer, the
// agents it names (JSON, as a confirmation's) and the wait it will start.
func submitDetail(c *Choice, pend Pending) string {
	d := c.Label
	if a := pend.Confirmation.Agents; len(a) > 0 {
		names, _ := json.Marshal(a)
		d += ": " + string(names)
	}
	if c.WaitsOn != "" {
		d += "; " + waitDetail(Wait{Who: c.WaitsOn, Ref: pend.Ref, FollowUp: pend.FollowUp})
	}
	return d
}

// pendingStep resolves an Approve or Send back click: the step and answer
// awaiting approval, or ok false when the card is stale.
func (f *Flow) pendingStep(p Progress, t Token) (*Step, *Choice, bool) {
	cur := f.current(p)
	if p.Pending == nil || t.Step != cur.ID || p.Pending.Confirmation.Step != cur.ID || t.Choice != p.Pending.Confirmation.Choice || t.Version < p.Opened {
		return nil, nil, false
	}
	c, ok := cur.Choice(t.Choice)
	return cur, c, ok
}

// approve lets the answer awaiting approval take effect (principals
// other than the person who confirmed it).
func (f *Flow) approve(p Progress, ev Event) Result {
	s, c, ok := f.pendingStep(p, ev.Token)
	if !ok {
		return f.stale(p, ev)
	}
	pend := *p.Pending
	if !f.isPrincipal(ev.User) || ev.User == pend.Confirmation.User {
		return f.refuseDecision(s, pend, ev.User, "approve")
	}
	conf := pend.Confirmation
	conf.Approver, conf.ApprovedAt = ev.User, ev.At.UTC()
	next, conf, detail := f.advance(p, s, c, conf, pend.Ref, pend.FollowUp)
	next.Pending = nil
	e := Entry{Action: ActApprove, Step: s.ID, Choice: c.ID, Card: ev.Token.Version, Detail: detail}
	reply := f.CardFor(next, ev.At, ev.User)
	reply.Replace = true
	reply.Public = fmt.Sprintf("%s approved **%s** — %s (answer: %s, confirmed by %s on %s).", Mention(ev.User), s.Heading(), doneText(c, conf), c.Label, Mention(conf.User), f.Stamp(conf.At))
	if len(conf.Agents) > 0 {
		reply.Public += " Agents: " + f.fill("{agents}", next) + "."
	}
	return f.change(p, next, ev, e, reply)
}

// sendBackForm asks why the answer is sent back.
func sendBackForm(s *Step, pend Pending) Form {
	return Form{Title: "Send back", Submit: "Send back", Fields: []Field{
		{ID: SendBackReason, Kind: FieldMultiline, Label: "Reason", MaxLen: maxReason,
			Placeholder: "What must change before it can be approved?",
			Hint:        fmt.Sprintf("%s opens again. The reason is shown on its card and kept in the audit trail (at most %d characters).", s.Short(), maxReason)},
	}}
}

// sendBack opens the send-back form, or records what it submitted: the
// answer no longer awaits approval and the step is open again. A
// principal other than the person who confirmed may send it back; that
// person may too (withdrawing it).
func (f *Flow) sendBack(p Progress, ev Event) Result {
	s, c, ok := f.pendingStep(p, ev.Token)
	if !ok {
		return f.stale(p, ev)
	}
	pend := *p.Pending
	confirmer := pend.Confirmation.User
	if ev.User != confirmer && !f.isPrincipal(ev.User) {
		return f.refuseDecision(s, pend, ev.User, "send back")
	}
	form := sendBackForm(s, pend)
	r := Reply{Title: form.Title, Form: &form, FormToken: ev.Token.String()}
	if !ev.Submitted {
		return Result{Reply: r}
	}
	v, problem := readFields(form, ev.Values)
	if problem != nil {
		if strings.TrimSpace(ev.Values[SendBackReason]) == "" {
			problem.Message = "Give a reason: it is shown on the step's card and kept in the audit trail."
		}
		form.Fields[0].Value = ev.Values[SendBackReason]
		problem.into(&r)
		return Result{Reply: r}
	}
	reason := v[SendBackReason]
	next := nextOf(p)
	next.Pending = nil
	next.SentBack = &SentBack{Step: s.ID, Choice: c.ID, User: confirmer, By: ev.User, At: ev.At.UTC(), Reason: reason}
	e := Entry{Action: ActSendBack, Step: s.ID, Choice: c.ID, Card: ev.Token.Version, Detail: reason}
	reply := f.CardFor(next, ev.At, ev.User)
	reply.Replace = true
	reply.Public = fmt.Sprintf("%s sent **%s** back (answer: %s, confirmed by %s); the step is open again. Reason: “%s”", Mention(ev.User), s.Heading(), c.Label, Mention(confirmer), Lit(reason))
	return f.change(p, next, ev, e, reply)
}

// refuseDecision tells user they may not approve (or send back) the
// answer awaiting approval, and who can.
func (f *Flow) refuseDecision(s *Step, pend Pending, user, verb string) Result {
	confirmer := pend.Confirmation.User
	who := f.approvers(confirmer)
	var text string
	switch {
	case len(f.Principals) == 0:
		text = "No principals are configured to decide it: " + addPrincipal + ". An admin can withdraw it with `{cmd} undo`."
	case len(who) == 0:
		text = fmt.Sprintf("%s confirmed it and is the only principal, so no one can approve it yet: %s. %s can send it back to withdraw it, or an admin can with `{cmd} undo`.", Mention(confirmer), addPrincipal, Mention(confirmer))
	case user == confirmer && f.isPrincipal(user):
		text = fmt.Sprintf("You confirmed it, so another principal must approve it: %s. You may send it back yourself to withdraw it.", mentions(who))
	case user == confirmer:
		text = fmt.Sprintf("Only a principal can approve it: %s. You confirmed it, so you may send it back yourself to withdraw it.", mentions(who))
	case verb == "send back":
		text = fmt.Sprintf("Only a principal other than the person who confirmed it can send it back: %s (or %s, who confirmed it).", mentions(who), Mention(confirmer))
	default:
		text = fmt.Sprintf("Only a principal other than the person who confirmed it (%s) can approve it: %s.", Mention(confirmer), mentions(who))
	}
	return Result{Reply: Notice("Principals only", fmt.Sprintf("**%s** awaits approval. %s Nothing was changed.", s.Heading(), text))}
}

// withdraw is an admin's undo while an answer awaits approval: the
// submission is withdrawn and the step is open again.
func (f *Flow) withdraw(p Progress, ev Event) Result {
	conf := p.Pending.Confirmation
	s, ok := f.Roadmap.Step(conf.Step)
	short, heading := conf.Step, conf.Step
	if ok {
		short, heading = s.Short(), s.Heading()
	}
	next := nextOf(p)
	next.Pending = nil
	e := Entry{Action: ActUndo, Step: conf.Step, Choice: conf.Choice,
		Detail: fmt.Sprintf("withdrew %s, which awaited approval (was: %s, by %s at %s)", short, answer(s, conf.Choice), conf.User, conf.At.UTC().Format(time.RFC3339))}
	reply := f.CardFor(next, ev.At, ev.User)
	reply.Public = fmt.Sprintf("%s withdrew **%s** from approval (it had been answered “%s” by %s on %s); the step is open again.", Mention(ev.User), heading, answer(s, conf.Choice), Mention(conf.User), f.Stamp(conf.At))
	return f.change(p, next, ev, e, reply)
}

// pendingText tells, on the card, who confirmed the answer awaiting
// approval, what it records and who may approve it.
func (f *Flow) pendingText(s *Step, pend Pending) string {
	conf := pend.Confirmation
	line := fmt.Sprintf("⏳ **Awaits approval.** %s confirmed “%s” on %s", Mention(conf.User), answer(s, conf.Choice), f.Stamp(conf.At))
	if len(conf.Agents) > 0 {
		line += " (agents: " + f.fill("{agents}", Progress{Path: []Confirmation{conf}}) + ")" // the names as the step cards show them
	}
	line += "."
	if c, ok := s.Choice(conf.Choice); ok && c.WaitsOn != "" {
		line += " Once it is approved, the next step waits on " + Lit(c.WaitsOn)
		if pend.Ref != "" {
			line += " (reference: " + Lit(pend.Ref) + ")"
		}
		if pend.FollowUp != "" {
			line += ", follow-up " + f.day(pend.FollowUp)
		}
		line += "."
	}
	if who := f.approvers(conf.User); len(who) > 0 {
		return line + fmt.Sprintf("\nA principal other than %s approves it or sends it back: %s.", Mention(conf.User), mentions(who))
	}
	return line + "\nNo principal other than " + Mention(conf.User) + " can approve it yet: " + addPrincipal + ". To withdraw it, " + Mention(conf.User) + " can send it back, or an admin can with `{cmd} undo`."
}

// addPrincipal says how a firm gets a principal to decide. Who can add
// one depends on the platform (a workspace's admins by command, or only
// the operator: Teams, CAIS_PRINCIPALS), which a card does not know;
// `principals` says which.
const addPrincipal = "one must be added first (`{cmd} principals` says who can add one, and how)"

// pendingActions are the buttons of a card awaiting approval.
func pendingActions(s *Step, p Progress) []Action {
	conf := p.Pending.Confirmation
	return []Action{
		{Label: "Approve", Style: Primary, Value: Token{Kind: KindApprove, Step: s.ID, Choice: conf.Choice, Version: p.Version}.String()},
		{Label: "Send back", Value: Token{Kind: KindSendBack, Step: s.ID, Choice: conf.Choice, Version: p.Version}.String()},
	}
}

// sentBackText tells, on the card, that the step's answer was sent back.
func (f *Flow) sentBackText(s *Step, sb SentBack) string {
	return fmt.Sprintf("↩️ **Sent back** by %s on %s: “%s” (the answer “%s” confirmed by %s). The step is open again.", Mention(sb.By), f.Stamp(sb.At), Lit(sb.Reason), answer(s, sb.Choice), Mention(sb.User))
}

// approvedText is ", approved by @C on …" for a confirmation that was
// approved, else "".
func (f *Flow) approvedText(c Confirmation) string {
	if c.Approver == "" {
		return ""
	}
	return fmt.Sprintf(", approved by %s on %s", Mention(c.Approver), f.Stamp(c.ApprovedAt))
}

// orNobody is mentions(users), or "none configured".
func orNobody(users []string) string {
	if len(users) == 0 {
		return "none configured (CAIS_PRINCIPALS)"
	}
	return mentions(users)
}

// entryReadable is an entry's detail_readable: ReadableDetail, except a
// send-back's reason, which is shown as typed whatever it looks like.
func entryReadable(e Entry) string {
	switch e.Action {
	case ActSendBack:
		return e.Detail
	case ActEvidence: // stored as JSON: worded as history words it, as typed
		if ev, ok := parseEvidence(e.Detail); ok {
			return evidenceSummary(plainWords, ev)
		}
	case ActProfile:
		if pr, ok := parseProfile(e.Detail); ok {
			return profileWords(plainWords, pr)
		}
	}
	return ReadableDetail(e.Detail)
}
