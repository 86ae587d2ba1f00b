package dialogs

import (
	"fmt"
	"strings"
	"time"
)

// The maker-checker entries replayed (approval.go) and compared.

// submit replays Flow.submit: the answer awaits approval; the firm stays
// where it is. The agents and the wait to start are read back from the
// entry's words (submitDetail).
func (rp *Replayed) submit(r *Roadmap, e Entry) {
	conf := Confirmation{Step: e.Step, Choice: e.Choice, User: e.User, At: e.At.UTC()}
	pend := Pending{}
	var c *Choice
	if s, ok := r.Step(e.Step); ok {
		c, _ = s.Choice(e.Choice)
	}
	switch {
	case c != nil && c.Form != "" && !r.Forms[c.Form].Multi():
		conf.Agents = agentsIn(e.Detail, c.Label)
	case c == nil:
		conf.Agents = agentsIn(e.Detail, "")
	}
	if c != nil && c.WaitsOn != "" {
		if i := strings.LastIndex(e.Detail, "; waiting on "+c.WaitsOn); i >= 0 {
			w := parseWait(e.Detail[i+2:])
			pend.Ref, pend.FollowUp = w.Ref, w.FollowUp
		}
	}
	pend.Confirmation = conf
	rp.Progress.Pending = &pend
	rp.PendingSeq, rp.pendingText = e.Seq, e.Detail
}

// approve replays Flow.approve: the submitted confirmation takes effect
// as a confirmation by its maker at its time would have, naming the
// approver; the entry's words are a confirmation's (Flow.advance).
func (rp *Replayed) approve(r *Roadmap, e Entry) {
	p := &rp.Progress
	as := e
	as.Action = ActConfirm
	if pe := p.Pending; pe != nil && pe.Confirmation.Step == e.Step && pe.Confirmation.Choice == e.Choice {
		as.User, as.At = pe.Confirmation.User, pe.Confirmation.At
	} else {
		rp.problem(e, fmt.Sprintf("approves %s “%s”, which the trail had not submitted for approval", stepOf(r, e.Step), Lit(e.Choice)))
	}
	p.Pending = nil
	rp.confirm(r, as)
	last := &p.Path[len(p.Path)-1]
	last.Approver, last.ApprovedAt = e.User, e.At.UTC()
}

// sendBack replays Flow.sendBack: the answer no longer awaits approval;
// the entry's detail is the reason.
func (rp *Replayed) sendBack(e Entry) {
	p := &rp.Progress
	pe := p.Pending
	if pe == nil || pe.Confirmation.Step != e.Step || pe.Confirmation.Choice != e.Choice {
		rp.problem(e, "sends back an answer the trail had not submitted for approval")
		return
	}
	p.Pending = nil
	p.SentBack = &SentBack{Step: e.Step, Choice: e.Choice, User: pe.Confirmation.User, By: e.User, At: e.At.UTC(), Reason: e.Detail}
	rp.SentBackSeq = e.Seq
}

// stepOf names a step for a replay problem.
func stepOf(r *Roadmap, id string) string {
	if s, ok := r.Step(id); ok {
		return s.Short()
	}
	return "step “" + Lit(id) + "”"
}

// diffApproval compares the answer awaiting approval and the one sent
// back with what the trail says.
func (f *Flow) diffApproval(stored Progress, rp Replayed) []string {
	out := f.diffPending(stored.Pending, rp.Progress.Pending, rp)
	g, w := stored.SentBack, rp.Progress.SentBack
	ref := entryRef(rp.SentBackSeq)
	switch {
	case g == nil && w != nil:
		out = append(out, fmt.Sprintf("the trail says %s was sent back by %s%s; the stored progress does not", f.stepName(w.Step), Mention(w.By), ref))
	case g != nil && w == nil:
		out = append(out, fmt.Sprintf("the stored progress says %s was sent back by %s; the trail does not", f.stepName(g.Step), Mention(g.By)))
	case g != nil && *g != *w:
		out = append(out, fmt.Sprintf("the stored progress says %s was sent back by %s at %s (“%s”); the trail says by %s at %s (“%s”)%s",
			f.stepName(g.Step), Mention(g.By), g.At.UTC().Format(time.RFC3339), Lit(g.Reason), Mention(w.By), w.At.UTC().Format(time.RFC3339), Lit(w.Reason), ref))
	}
	return out
}

func (f *Flow) diffPending(g, w *Pending, rp Replayed) []string {
	ref := entryRef(rp.PendingSeq)
	switch {
	case g == nil && w == nil:
		return nil
	case g == nil:
		return []string{fmt.Sprintf("the trail says %s awaits approval%s; the stored progress says it does not", f.stepName(w.Confirmation.Step), ref)}
	case w == nil:
		return []string{fmt.Sprintf("the stored progress says %s awaits approval (answered “%s” by %s); the trail says it does not", f.stepName(g.Confirmation.Step), Lit(g.Confirmation.Choice), Mention(g.Confirmation.User))}
	}
	out := f.diffConfirmation(g.Confirmation, w.Confirmation, rp.PendingSeq)
	if g.Ref != w.Ref || g.FollowUp != w.FollowUp {
		// Words that could be read two ways are compared as words.
		c, _ := f.Roadmap.Step(g.Confirmation.Step)
		var who string
		if c != nil {
			if ch, ok := c.Choice(g.Confirmation.Choice); ok {
				who = ch.WaitsOn
			}
		}
		if !strings.HasSuffix(rp.pendingText, "; "+waitDetail(Wait{Who: who, Ref: g.Ref, FollowUp: g.FollowUp})) {
			out = append(out, fmt.Sprintf("the stored progress says the answer awaiting approval gives reference “%s” and follow-up %s; the trail says “%s” and %s%s", Lit(g.Ref), orNone(g.FollowUp), Lit(w.Ref), orNone(w.FollowUp), ref))
		}
	}
	return out
}
