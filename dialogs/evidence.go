package dialogs

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ActEvidence is the audit action of evidence added to a step: its detail
// is the evidence as a JSON object ({"ref","link","note"}), so replay
// reads it back without guessing where one field ends.
const ActEvidence = "evidence"

// Evidence is what the firm kept to show a step was done: a reference
// (a ticket or confirmation number), a link, a note, and who added it.
type Evidence struct {
	Ref  string    `json:"ref,omitempty"`
	Link string    `json:"link,omitempty"`
	Note string    `json:"note,omitempty"`
	User string    `json:"user"`
	At   time.Time `json:"at"`
}

// Evidence form field ids.
const (
	EvidenceRef  = "ev_ref"
	EvidenceLink = "ev_link"
	EvidenceNote = "ev_note"
)

// Limits of the evidence form, and of what one step keeps.
const (
	maxEvidenceRef  = 200
	maxEvidenceLink = 500
	maxEvidenceNote = 1000
	MaxEvidence     = 20 // per step
)

// evidenceForm is the "Add evidence" form for step s.
func evidenceForm(s *Step) Form {
	return Form{Title: "Add evidence", Submit: "Add", Fields: []Field{
		{ID: EvidenceRef, Kind: FieldText, Label: "Reference", Placeholder: "e.g. a CAT Helpdesk ticket or confirmation number", Optional: true, MaxLen: maxEvidenceRef,
			Hint: "For " + s.Short() + ". Give a reference, a link, or both."},
		{ID: EvidenceLink, Kind: FieldText, Label: "Link", Placeholder: "https://…", Optional: true, MaxLen: maxEvidenceLink,
			Hint: "An http(s) address where the evidence is kept. It is recorded and shown as text, never as a link."},
		{ID: EvidenceNote, Kind: FieldMultiline, Label: "Note", Optional: true, MaxLen: maxEvidenceNote},
	}}
}

// evidenceAction is a step card's "Add evidence" button.
func evidenceAction(step string, p Progress) Action {
	return Action{Label: "Add evidence", Secondary: true, Value: Token{Kind: KindEvidence, Step: step, Version: p.Version}.String()}
}

// evidenceClick opens the evidence form of the token's step, or records
// what it submitted. Evidence may be added to the current step and to any
// step the firm confirmed (a confirmation email often comes later).
func (f *Flow) evidenceClick(p Progress, ev Event) Result {
	s, problem := f.evidenceStep(p, ev.Token.Step)
	if problem != "" {
		return Result{Reply: Notice("Evidence not added", problem+" Nothing was changed.")}
	}
	form := evidenceForm(s)
	r := Reply{Title: form.Title, Form: &form, FormToken: ev.Token.String()}
	if !ev.Submitted {
		return Result{Reply: r}
	}
	e, bad := readEvidence(form, ev.Values)
	if bad != nil {
		for i := range form.Fields {
			form.Fields[i].Value = ev.Values[form.Fields[i].ID]
		}
		bad.into(&r)
		return Result{Reply: r}
	}
	for _, old := range p.Evidence[s.ID] {
		if old.Ref == e.Ref && old.Link == e.Link && old.Note == e.Note {
			return Result{Reply: Notice("Evidence already recorded", fmt.Sprintf("%s already has this evidence, added by %s on %s. Nothing was changed.", s.Short(), Mention(old.User), f.Stamp(old.At)))}
		}
	}
	if len(p.Evidence[s.ID]) >= MaxEvidence {
		return Result{Reply: Notice("Evidence not added", fmt.Sprintf("%s already holds %d pieces of evidence, the most one step keeps. Nothing was changed.", s.Short(), MaxEvidence))}
	}
	e.User, e.At = ev.User, ev.At.UTC()
	next := nextOf(p)
	addEvidence(&next, s.ID, e)
	entry := Entry{Action: ActEvidence, Step: s.ID, Card: ev.Token.Version, Detail: evidenceDetail(e)}
	reply := Notice("Evidence added", fmt.Sprintf("Added to **%s**:\n%s", s.Heading(), f.evidenceLine(e)))
	reply.context("`{cmd} status` lists every step's evidence; the audit trail records it.")
	if cur := f.current(p); cur.ID == s.ID {
		reply = f.CardFor(next, ev.At, ev.User)
		reply.Replace = true
	}
	reply.Public = fmt.Sprintf("%s added evidence to **%s**: %s", Mention(ev.User), s.Heading(), evidenceSummary(chatWords, e))
	return f.change(p, next, ev, entry, reply)
}

// evidenceStep resolves the step evidence is for, or says why it cannot
// take any.
func (f *Flow) evidenceStep(p Progress, id string) (*Step, string) {
	s, ok := f.Roadmap.Step(id)
	if !ok || s.IsOutcome() {
		return nil, "That names no step of the roadmap."
	}
	if _, done := p.Confirmed(s.ID); !done && f.current(p).ID != s.ID {
		return nil, fmt.Sprintf("%s is neither confirmed nor the current step: evidence is added to the step being worked on, or to one already confirmed.", s.Short())
	}
	return s, ""
}

// readEvidence validates a submitted evidence form: the fields, at least
// a reference or a link, and a link that is a plain http(s) address.
func readEvidence(form Form, values map[string]string) (Evidence, *formProblem) {
	v, problem := readFields(form, values)
	if v[EvidenceRef] == "" && v[EvidenceLink] == "" && !problem.about(EvidenceRef) && !problem.about(EvidenceLink) {
		problem = problem.with(&formProblem{Field: EvidenceRef, Message: "Give a reference or a link (or both)."})
	}
	if msg := linkProblem(v[EvidenceLink]); msg != "" {
		problem = problem.with(&formProblem{Field: EvidenceLink, Message: msg})
	}
	if problem != nil {
		return Evidence{}, problem
	}
	return Evidence{Ref: v[EvidenceRef], Link: v[EvidenceLink], Note: v[EvidenceNote]}, nil
}

// linkChars are the characters a link may hold: RFC 3986's unreserved
// and reserved ones (brackets aside) and %, so a link can neither leave
// the code span it is shown in nor form markup.
const linkChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#@!$&'()*+,;=%"

// linkProblem says what is wrong with a link ("" if nothing or empty).
func linkProblem(link string) string {
	if link == "" {
		return ""
	}
	if strings.ContainsFunc(link, func(r rune) bool { return !strings.ContainsRune(linkChars, r) }) {
		return "A link is a web address without spaces, brackets or quotes, e.g. https://example.com/ticket/123."
	}
	u, err := url.Parse(link)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "":
		return "A link must start with https:// or http:// and name a site, e.g. https://example.com/ticket/123."
	case u.User != nil:
		return "A link must not carry a user name before the site (“…@”): it can make one site look like another."
	}
	return ""
}

// addEvidence appends e to step's evidence in next.
func addEvidence(next *Progress, step string, e Evidence) {
	if next.Evidence == nil {
		next.Evidence = map[string][]Evidence{}
	}
	next.Evidence[step] = append(next.Evidence[step], e)
}

// evidenceDetail is evidence as its audit entry stores it.
func evidenceDetail(e Evidence) string {
	b, _ := json.Marshal(struct {
		Ref  string `json:"ref,omitempty"`
		Link string `json:"link,omitempty"`
		Note string `json:"note,omitempty"`
	}{e.Ref, e.Link, e.Note})
	return string(b)
}

// parseEvidence reads an evidence entry's detail back.
func parseEvidence(detail string) (Evidence, bool) {
	var e Evidence
	if json.Unmarshal([]byte(detail), &e) != nil || (e.Ref == "" && e.Link == "") || e.User != "" || !e.At.IsZero() {
		return Evidence{}, false
	}
	return e, true
}

// evidenceSummary is evidence in one line (of markup, with chatWords): the reference, the
// link as copyable text (code, which no platform turns into a link that
// reads otherwise) and the note.
func evidenceSummary(w words, e Evidence) string {
	var parts []string
	if e.Ref != "" {
		parts = append(parts, "reference "+w.name(e.Ref))
	}
	if e.Link != "" {
		parts = append(parts, "link "+w.code(e.Link))
	}
	if e.Note != "" {
		parts = append(parts, "note: "+w.name(e.Note))
	}
	return strings.Join(parts, " · ")
}

// evidenceLine is evidence with who added it and when.
func (f *Flow) evidenceLine(e Evidence) string {
	return "↳ Evidence: " + evidenceSummary(chatWords, e) + " — added by " + Mention(e.User) + " on " + f.Stamp(e.At)
}

// evidenceLines are a step's evidence, one line each.
func (f *Flow) evidenceLines(list []Evidence) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = f.evidenceLine(e)
	}
	return out
}

// evidenceEntryText is an evidence entry in history's words.
func evidenceEntryText(w words, step string, e Entry) string {
	ev, ok := parseEvidence(e.Detail)
	if !ok {
		return "added evidence to " + step + " (" + w.lit(e.Detail) + ")"
	}
	return "added evidence to " + step + ": " + evidenceSummary(w, ev)
}

// EvidenceCommand answers `evidence <step>`: a button that opens the
// evidence form of that step, if it can take evidence.
func (f *Flow) EvidenceCommand(p Progress, args []string) Reply {
	usage := "Usage: `{cmd} evidence <step>`, e.g. `{cmd} evidence 2` or `{cmd} evidence 6A`."
	if len(args) != 1 {
		return Notice("Add evidence", usage)
	}
	s, ok := f.Roadmap.StepByNumber(args[0])
	if !ok {
		return Notice("Evidence not added", fmt.Sprintf("There is no step %q. Steps: %s. %s", Lit(args[0]), f.stepNumbers(), usage))
	}
	s = f.evidenceTarget(p, s)
	if _, problem := f.evidenceStep(p, s.ID); problem != "" {
		return Notice("Evidence not added", problem+" Nothing was changed. See `{cmd} status`.")
	}
	r := Notice("Add evidence to "+s.Short(), "Evidence for **"+s.Heading()+"**: a reference such as a ticket or confirmation number, a link, a note.")
	if ev := p.Evidence[s.ID]; len(ev) > 0 {
		r.text(strings.Join(f.evidenceLines(ev), "\n"))
	}
	r.Actions = []Action{{Label: "Add evidence", Style: Primary, Value: Token{Kind: KindEvidence, Step: s.ID, Version: p.Version}.String()}}
	return r
}

// evidenceTarget picks, among the steps sharing s's number (6(A)'s
// parts), the one that can take evidence: the current one, else the
// latest confirmed.
func (f *Flow) evidenceTarget(p Progress, s *Step) *Step {
	var pick *Step
	for i := range f.Roadmap.Steps {
		t := &f.Roadmap.Steps[i]
		if t.Number != s.Number {
			continue
		}
		if t.ID == f.current(p).ID {
			return t
		}
		if _, done := p.Confirmed(t.ID); done {
			pick = t
		}
	}
	if pick == nil {
		return s
	}
	return pick
}
