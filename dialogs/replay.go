package dialogs

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// Replayed is the progress an audit trail describes, rebuilt from its
// entries alone, with what the entries could not tell. verify compares
// it with the stored progress (replay_compare.go).
//
// What the replay does not rebuild, because no entry carries it:
//   - Opened and Last, which only explain stale clicks (the card version a
//     step became current at, and the latest change); they are not compared.
//   - Where a confirmation led when its answer is no longer in the roadmap
//     (a replaced CAIS_ROADMAP_FILE): Current is then unknown until an
//     undo, a reset or a known answer moves the firm again (CurrentFrom).
//   - A wait's fields are read back from the entry's words ("waiting on
//     X (reference: R), follow-up D"); words that could be read two ways
//     are compared as words (waitMatches), so no reading is guessed.
type Replayed struct {
	Progress Progress
	// PathSeq is the entry that wrote each confirmation of Progress.Path.
	PathSeq []int64
	// CurrentFrom is the entry that last set Current; 0 with CurrentKnown
	// false when the trail does not say where the firm went.
	CurrentFrom  int64
	CurrentKnown bool
	// TargetSeq, ChannelSeq and WaitSeq name the entry behind each
	// target, subscription and wait.
	TargetSeq  map[string]int64
	ChannelSeq map[string]int64
	WaitSeq    map[string]int64
	// Against says in words which roadmap which entries were replayed
	// against (set by Service.replay; empty for a single roadmap).
	Against string
	// EvidenceSeq names the entry behind each step's evidence, in order.
	EvidenceSeq map[string][]int64
	// ProfileSeq names the entry that set the firm profile.
	ProfileSeq int64
	// PendingSeq and SentBackSeq name the entries behind the answer
	// awaiting approval and the latest sent back (approval_replay.go).
	PendingSeq, SentBackSeq int64
	// pendingText is the detail of the entry that submitted Pending.
	pendingText string
	// waitText is the detail of the entry that set each wait.
	waitText map[string]string
	// Problems are entries that make no sense where they stand (an undo
	// with nothing to undo), in a compliance officer's words.
	Problems []string
}

// Replay rebuilds the progress the entries describe against roadmap r.
// It is pure: the entries are read in order, as the transitions wrote
// them (flow.go, settings.go, wait.go, certify.go, settingsforms.go,
// announce.go, announce_pause.go, reopen.go, deadline_clear.go, approval.go).
func Replay(r *Roadmap, entries []Entry) Replayed {
	return ReplayEach(func(Entry) *Roadmap { return r }, entries)
}

// ReplayEach is Replay with each entry read against the roadmap pick
// gives for it (the one it names, see Service.entryRoadmaps).
func ReplayEach(pick func(Entry) *Roadmap, entries []Entry) Replayed {
	rp := Replayed{CurrentKnown: true, TargetSeq: map[string]int64{}, ChannelSeq: map[string]int64{}, WaitSeq: map[string]int64{}, waitText: map[string]string{}}
	for _, e := range entries {
		rp.apply(pick(e), e)
		rp.Progress.Version, rp.Progress.Seq, rp.Progress.Head = e.Version, e.Seq, e.Hash
	}
	return rp
}

func (rp *Replayed) apply(r *Roadmap, e Entry) {
	p := &rp.Progress
	if movesSteps(e.Action) && e.Action != ActSendBack {
		p.SentBack = nil // as Flow.change
	}
	switch e.Action {
	case ActConfirm, ActReopen:
		rp.confirm(r, e)
	case ActUndo:
		rp.undo(e)
	case ActReset:
		p.Path, rp.PathSeq, p.Current, p.Waits, p.Pending = nil, nil, "", nil, nil
		rp.CurrentFrom, rp.CurrentKnown = e.Seq, true
	case ActDeadline:
		setKey(&p.Targets, e.Step, strings.TrimPrefix(e.Detail, "target "))
		rp.TargetSeq[e.Step] = e.Seq
	case ActDeadlineClear:
		delete(p.Targets, e.Step)
		rp.TargetSeq[e.Step] = e.Seq
	case ActAnnounce:
		setKey(&p.Channels, strings.TrimPrefix(e.Detail, "channel "), Subscription{User: e.User, At: e.At.UTC()})
		rp.ChannelSeq[strings.TrimPrefix(e.Detail, "channel ")] = e.Seq
	case ActAnnounceOff:
		// EndSubscription adds " (ended automatically: <reason>)".
		ch, _, _ := strings.Cut(strings.TrimPrefix(e.Detail, "channel "), " (ended automatically: ")
		delete(p.Channels, ch)
		rp.ChannelSeq[ch] = e.Seq
	case ActAnnouncePause, ActAnnounceResume:
		rp.pauseReplay(e)
	case ActWait:
		rp.wait(e)
	case ActWaitEnd:
		delete(p.Waits, e.Step)
		rp.WaitSeq[e.Step] = e.Seq
	case ActAgents:
		rp.agents(e)
	case ActEvidence:
		rp.evidence(e)
	case ActProfile:
		rp.profile(e)
	case ActSubmit:
		rp.submit(r, e)
	case ActApprove:
		rp.approve(r, e)
	case ActSendBack:
		rp.sendBack(e)
	default:
		rp.problem(e, "records an action this build does not know (“"+Lit(e.Action)+"”), so the progress after it may differ")
	}
}

// confirm replays choose() and reopen(): a confirmation joins the path,
// the step's wait ends, and the firm moves where the answer leads.
func (rp *Replayed) confirm(r *Roadmap, e Entry) {
	p := &rp.Progress
	conf := Confirmation{Step: e.Step, Choice: e.Choice, User: e.User, At: e.At.UTC()}
	if e.Action == ActConfirm {
		delete(p.Waits, e.Step) // endWaitOnConfirm
	}
	s, _ := r.Step(e.Step)
	var c *Choice
	if s != nil {
		c, _ = s.Choice(e.Choice)
	}
	switch {
	case c != nil:
		p.Current = c.Next
		rp.CurrentFrom, rp.CurrentKnown = e.Seq, true
		if f, ok := r.Forms[c.Form]; ok && c.Form != "" && !f.Multi() {
			conf.Agents = agentsIn(e.Detail, c.Label)
		}
		if s.PerAgent && e.Action == ActConfirm {
			perAgent(*p, s, &conf, p) // reads the path before this confirmation joins it
		}
		if c.WaitsOn != "" {
			rp.startWait(e, c.Next, c.WaitsOn)
		}
	case s != nil && retiredNext(r, s, e.Choice) != "":
		p.Current = retiredNext(r, s, e.Choice)
		rp.CurrentFrom, rp.CurrentKnown = e.Seq, true
	default:
		// The answer is not in this roadmap: the entry does not say where
		// the firm went. Agents it named are still in its words.
		rp.CurrentKnown = false
		conf.Agents = agentsIn(e.Detail, "")
	}
	p.Path = append(p.Path, conf)
	rp.PathSeq = append(rp.PathSeq, e.Seq)
}

// retiredNext is where a retired answer of s took the firm: it stood for
// the steps it covers, so it leads where the last of them leads when
// confirmed (its primary answer). "" when choice is not retired.
func retiredNext(r *Roadmap, s *Step, choice string) string {
	for _, old := range s.Retired {
		if old.ID != choice || len(old.Covers) == 0 {
			continue
		}
		last, ok := r.Step(old.Covers[len(old.Covers)-1])
		if !ok {
			return ""
		}
		if c := primaryChoice(last); c != nil {
			return c.Next
		}
	}
	return ""
}

// agentsIn reads the JSON list of agents a confirmation's detail carries
// after its label ("CAT Reporting Agent: ["A","B"]…"); nil if none.
func agentsIn(detail, label string) []string {
	rest, ok := strings.CutPrefix(detail, label+": ")
	if !ok || label == "" {
		i := strings.Index(detail, ": [")
		if i < 0 {
			return nil
		}
		rest = detail[i+2:]
	}
	var agents []string
	if json.NewDecoder(strings.NewReader(rest)).Decode(&agents) != nil {
		return nil
	}
	return agents
}

func (rp *Replayed) undo(e Entry) {
	p := &rp.Progress
	if p.Pending != nil { // Flow.withdraw: the submission, not a confirmation
		p.Pending = nil
		return
	}
	if len(p.Path) == 0 {
		rp.problem(e, "undoes a confirmation the trail does not have")
	} else {
		p.Path, rp.PathSeq = p.Path[:len(p.Path)-1], rp.PathSeq[:len(rp.PathSeq)-1]
	}
	p.Current = e.Step
	rp.CurrentFrom, rp.CurrentKnown = e.Seq, true
	before, _, _ := strings.Cut(e.Detail, agentsOnTo)               // what follows the move is typed by users
	if _, step, found := strings.Cut(before, undoLeftWait); found { // Flow.leaveWait
		step, _, _ = strings.Cut(step, ";")
		delete(p.Waits, step)
		rp.WaitSeq[step] = e.Seq
	}
	if i := strings.Index(e.Detail, agentsOnTo); i >= 0 { // Flow.pastEveryAgent (the wait text after it is typed by users)
		if to, on, ok := movedTo(e.Detail[i:]); ok {
			rp.moved(e, to, on)
		}
	}
}

// moved replays settleAgents' and pastEveryAgent's moves: on to the next
// part ends the per-agent step's wait, as its confirmation would have.
func (rp *Replayed) moved(e Entry, to string, on bool) {
	if to == "" {
		return
	}
	if on {
		delete(rp.Progress.Waits, rp.Progress.Current)
		rp.WaitSeq[rp.Progress.Current] = e.Seq
	}
	rp.Progress.Current = to
	rp.CurrentFrom, rp.CurrentKnown = e.Seq, true
}

// agents replays agentsClick: the first confirmation that named agents
// now names the list in the detail ("now: [...]").
func (rp *Replayed) agents(e Entry) {
	p := &rp.Progress
	agents, moved, on, ok := agentsMove(e.Detail)
	if !ok {
		rp.problem(e, "changes the CAT Reporting Agents, but its list cannot be read")
		return
	}
	for i := range p.Path {
		if len(p.Path[i].Agents) > 0 {
			p.Path[i].Agents = agents
			rp.moved(e, moved, on)
			rp.leftWait(e)
			return
		}
	}
	rp.problem(e, "changes the CAT Reporting Agents, but no earlier entry named any")
}

// wait replays waitClick: "set: <wait>" or "changed: <wait>". The same
// party (ignoring case) keeps the day the wait began.
func (rp *Replayed) wait(e Entry) {
	old, had := rp.Progress.Waits[e.Step]
	_, text, _ := strings.Cut(e.Detail, ": ")
	w := parseWait(text)
	w.Since, w.User = e.At.UTC(), e.User
	if had && strings.EqualFold(old.Who, w.Who) {
		w.Since = old.Since
	}
	setKey(&rp.Progress.Waits, e.Step, w)
	rp.WaitSeq[e.Step], rp.waitText[e.Step] = e.Seq, e.Detail
}

// startWait replays StartWait as a choice with waits_on calls it: the
// detail ends with "; waiting on <who>…".
func (rp *Replayed) startWait(e Entry, step, who string) {
	text := e.Detail
	if i := strings.LastIndex(text, "; waiting on "+who); i >= 0 {
		text = text[i+2:]
	}
	w := parseWait(text)
	w.Who, w.Since, w.User = who, e.At.UTC(), e.User
	setKey(&rp.Progress.Waits, step, w)
	rp.WaitSeq[step], rp.waitText[step] = e.Seq, e.Detail
}

var followUpTail = regexp.MustCompile(`, follow-up (\d{4}-\d{2}-\d{2})$`)

// parseWait reads waitDetail's words back: "waiting on <who>[ (reference:
// <ref>)][, follow-up <YYYY-MM-DD>]".
func parseWait(text string) Wait {
	var w Wait
	text = strings.TrimPrefix(text, "waiting on ")
	if m := followUpTail.FindStringSubmatchIndex(text); m != nil {
		w.FollowUp, text = text[m[2]:m[3]], text[:m[0]]
	}
	if i := strings.Index(text, " (reference: "); i >= 0 && strings.HasSuffix(text, ")") {
		w.Ref, text = text[i+len(" (reference: "):len(text)-1], text[:i]
	}
	w.Who = text
	return w
}

func (rp *Replayed) problem(e Entry, what string) {
	rp.Problems = append(rp.Problems, "entry "+strconv.FormatInt(e.Seq, 10)+" "+what)
}

// setKey sets m[k] = v, making the map if needed.
func setKey[V any](m *map[string]V, k string, v V) {
	if *m == nil {
		*m = map[string]V{}
	}
	(*m)[k] = v
}

// leftWait replays endLeftWait on an agents edit that sent the firm back:
// the tail after the list ("; back to: <step>; ended the wait on <step>")
// holds no typed text, so the marker cannot be imitated.
func (rp *Replayed) leftWait(e Entry) {
	_, _, tail, ok := agentsDetail(e.Detail)
	if !ok || !strings.HasPrefix(tail, agentsBackTo) {
		return
	}
	if _, step, found := strings.Cut(tail, undoLeftWait); found {
		delete(rp.Progress.Waits, step)
		rp.WaitSeq[step] = e.Seq
	}
}
