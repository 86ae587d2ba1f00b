package dialogs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// packer builds the packet's view of a record: people named as the
// entries recorded them, and each step as the roadmap its entry named.
type packer struct {
	*Service
	ctx     context.Context
	names   NameBook
	looked  map[string]PacketPerson // user id → platform lookup, once each
	k       entryRoadmaps
	entries []Entry
}

// person names e's actor: the display name e recorded, else the one the
// platform gives now (marked looked up), else only the id.
func (pk *packer) person(e Entry) PacketPerson {
	if e.Name != "" {
		return PacketPerson{ID: e.User, Name: e.Name}
	}
	if p, ok := pk.looked[e.User]; ok {
		return p
	}
	p := PacketPerson{ID: e.User}
	if pk.names != nil && e.User != "" {
		if name, ok := pk.names.DisplayName(pk.ctx, e.User); ok && name != "" {
			p.Name, p.LookedUp = name, true
		}
	}
	pk.looked[e.User] = p
	return p
}

func (pk *packer) event(e Entry, text string) PacketEvent {
	return PacketEvent{By: pk.person(e), At: e.At.UTC(), Seq: e.Seq, Text: text}
}

// steps are the confirmed steps in order, then the open step, each with
// its approval, send-backs, evidence and waits; standing is where the
// firm is now.
func (pk *packer) steps(p Progress) (steps []PacketStep, standing string) {
	for _, c := range p.Path {
		steps = append(steps, pk.confirmed(c))
	}
	cur := pk.Flow.current(p)
	standing = cur.Heading()
	if !cur.IsOutcome() {
		steps = append(steps, PacketStep{ID: cur.ID, Heading: cur.Heading(), Branch: branches(cur)})
	}
	steps = append(steps, pk.kept(p, cur, steps)...)
	last := map[string]int{} // step id → its last place in steps
	for i, s := range steps {
		last[s.ID] = i
	}
	for step, list := range p.Evidence {
		i, ok := last[step]
		if !ok {
			continue
		}
		for _, ev := range list {
			e := pk.find(func(e Entry) bool {
				return e.Action == ActEvidence && e.Step == step && e.User == ev.User && e.At.Equal(ev.At)
			})
			steps[i].Evidence = append(steps[i].Evidence, PacketEvidence{PacketEvent: pk.eventOr(e, ev.User, ev.At), Ref: ev.Ref, Link: ev.Link, Note: ev.Note})
		}
	}
	open := map[string]bool{} // steps holding a wait, as the entries go
	for _, e := range pk.entries {
		pk.attach(steps, last, e, open)
	}
	return steps, standing
}

// kept are the steps neither confirmed now nor current that still hold
// what status shows under them — evidence, which stays through undo and
// reset, or a wait — in roadmap order; shown as not confirmed, since the
// confirmation an undo or reset took back no longer counts.
func (pk *packer) kept(p Progress, cur *Step, shown []PacketStep) []PacketStep {
	ahead := map[string]bool{}
	if !cur.IsOutcome() {
		ahead = pk.Flow.Roadmap.ahead(cur.ID)
	}
	var out []PacketStep
	for i := range pk.Flow.Roadmap.Steps {
		s := &pk.Flow.Roadmap.Steps[i]
		_, waiting := p.Waits[s.ID]
		if slices.ContainsFunc(shown, func(ps PacketStep) bool { return ps.ID == s.ID }) || (len(p.Evidence[s.ID]) == 0 && !waiting) {
			continue
		}
		out = append(out, PacketStep{ID: s.ID, Heading: s.Heading(), Branch: branches(s), Kept: true, Ahead: ahead[s.ID]})
	}
	return out
}

// confirmed is confirmation c as the roadmap its entry named words it.
func (pk *packer) confirmed(c Confirmation) PacketStep {
	e := pk.find(func(e Entry) bool {
		return (e.Action == ActConfirm || e.Action == ActReopen || e.Action == ActSubmit) && e.Step == c.Step && e.Choice == c.Choice && e.User == c.User && e.At.Equal(c.At)
	})
	r := pk.Flow.Roadmap
	if e != nil {
		r = pk.k.of(*e)
	}
	ps := PacketStep{ID: c.Step, Heading: c.Step, Answer: c.Choice, Agents: c.Agents, Agent: c.Agent}
	if s, ok := r.Step(c.Step); ok {
		ps.Heading, ps.Answer, ps.Branch = s.Heading(), answer(s, c.Choice), branches(s)
	}
	if named := agentsIn(detailOf(e), ""); e != nil && len(c.Agents) > 0 && named != nil {
		ps.Agents = named // as confirmed; later changes come as AgentsChanged
	}
	conf := pk.eventOr(e, c.User, c.At)
	ps.Confirmed = &conf
	if e != nil {
		ps.Roadmap = e.Roadmap
	}
	if c.Approver != "" {
		a := pk.find(func(e Entry) bool {
			return e.Action == ActApprove && e.Step == c.Step && e.User == c.Approver && e.At.Equal(c.ApprovedAt)
		})
		ev := pk.eventOr(a, c.Approver, c.ApprovedAt)
		ps.Approved = &ev
	}
	return ps
}

// eventOr is e as an event, or, when no entry was found, the user and
// time the progress records.
func (pk *packer) eventOr(e *Entry, user string, at time.Time) PacketEvent {
	if e != nil {
		return pk.event(*e, "")
	}
	return pk.event(Entry{User: user, At: at}, "")
}

// find is the latest entry match accepts, or nil.
func (pk *packer) find(match func(Entry) bool) *Entry {
	for i := len(pk.entries) - 1; i >= 0; i-- {
		if match(pk.entries[i]) {
			return &pk.entries[i]
		}
	}
	return nil
}

// attach adds e's waits and send-backs to the step they are about, if it
// is among steps (last: each step's place).
func (pk *packer) attach(steps []PacketStep, last map[string]int, e Entry, open map[string]bool) {
	add := func(step, text string, sentBack bool) {
		i, ok := last[step]
		switch {
		case !ok:
		case sentBack:
			steps[i].SentBack = append(steps[i].SentBack, pk.event(e, text))
		default:
			steps[i].Waits = append(steps[i].Waits, pk.event(e, text))
		}
	}
	switch e.Action {
	case ActAgents:
		// Only changes after the confirmation that stands: an earlier
		// pass's (before an undo or a reset) changed another list.
		i := slices.IndexFunc(steps, func(s PacketStep) bool { return len(s.Agents) > 0 })
		if i >= 0 && steps[i].Confirmed != nil && e.Seq > steps[i].Confirmed.Seq {
			if agents, _, _, ok := agentsMove(e.Detail); ok {
				steps[i].AgentsChanged = append(steps[i].AgentsChanged, pk.event(e, "Changed to: "+strings.Join(agents, "; ")))
			}
		}
	case ActSendBack:
		add(e.Step, pk.sentBackText(e), true)
	}
	for _, n := range pk.waitNotes(open, e) {
		add(n.step, n.text, false)
	}
}

// sentBackText names the answer a send-back entry e sent back, who had
// confirmed it (the latest submission of that step before e) and why.
func (pk *packer) sentBackText(e Entry) string {
	st, _ := pk.k.of(e).Step(e.Step)
	text := "Answer sent back: (not recorded)"
	if e.Choice != "" {
		text = "Answer sent back: " + answer(st, e.Choice)
	}
	if c := pk.find(func(c Entry) bool { return c.Seq < e.Seq && c.Action == ActSubmit && c.Step == e.Step }); c != nil {
		who := pk.person(*c)
		name := who.ID
		if who.Name != "" {
			name = who.Name + " (" + who.ID + ")"
		}
		text += fmt.Sprintf(", confirmed by %s (entry %d)", name, c.Seq)
	}
	return text + "\nReason: " + e.Detail
}

// log is every entry in words.
func (pk *packer) log() []PacketLine {
	out := make([]PacketLine, len(pk.entries))
	for i, e := range pk.entries {
		step := e.Step
		if s, ok := pk.k.of(e).Step(e.Step); ok {
			step = s.Short()
		}
		// As typed: the PDF renders no markup, so nothing needs
		// neutralising (PlainText would strip or alter typed markers).
		text := entryWords(e, step, plainWords, pk.Flow.Loc)
		switch e.Action {
		case ActSubmit:
			text = "confirmed " + step + " for a principal's approval (" + ReadableDetail(e.Detail) + ")"
		case ActApprove:
			text = "approved " + step
		case ActSendBack:
			text = "sent " + step + " back: " + e.Detail
		}
		out[i] = PacketLine{PacketEvent: pk.event(e, text), Action: e.Action}
	}
	return out
}

// branches says s offers more than one way on (help answers aside).
func branches(s *Step) bool {
	next := map[string]bool{}
	for _, c := range s.Choices {
		if !c.Help {
			next[c.Next] = true
		}
	}
	return len(next) > 1
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func detailOf(e *Entry) string {
	if e == nil {
		return ""
	}
	return e.Detail
}
