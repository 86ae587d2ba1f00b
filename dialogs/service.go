package dialogs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caisbot/caisbot/firm"
)

// Service runs the flow against a store: load, apply, compare-and-set.
// Every platform adapter calls it; it knows no platform. Build it with
// NewService.
type Service struct {
	Flow  *Flow
	Store Store
	Now   func() time.Time
	// OnIntegrity, if set, counts integrity failures (see IntegrityHook).
	OnIntegrity IntegrityHook
	// Packager, if set, makes the exam packet (`packet`); internal/app
	// wires package packet here.
	Packager Packager
	// Roles, if set, keeps each workspace's own admins and principals
	// (roles.go); nil: only the operator's lists apply.
	Roles RoleStore
	// Firms, if set, lists a workspace's firms for the bureau console
	// (`firms`, console.go).
	Firms FirmLister

	cards cardMemo // the step cards drawn (cardmemo.go)
}

// NewService returns a service running flow against store on clock now;
// all three are required.
func NewService(flow *Flow, store Store, now func() time.Time) (*Service, error) {
	switch {
	case flow == nil || flow.Roadmap == nil:
		return nil, errors.New("dialogs: NewService needs a flow with a roadmap")
	case store == nil:
		return nil, errors.New("dialogs: NewService needs a store")
	case now == nil:
		return nil, errors.New("dialogs: NewService needs a clock")
	}
	return &Service{Flow: flow, Store: store, Now: now}, nil
}

// maxAttempts bounds retries after a conflict; each retry sees the state
// another user wrote, so it normally ends as a stale-card reply.
const maxAttempts = 5

// HistoryLen is how many audit entries "history" shows.
const HistoryLen = 10

// Command handles a typed command in a firm.
func (s *Service) Command(ctx context.Context, f firm.ID, ev Event, cmd Command) (Reply, error) {
	ev = s.stamp(ev)
	switch cmd.Name {
	case CmdHelp:
		return s.Flow.HelpFor(ev, ""), nil
	case CmdUnknown:
		return s.Flow.HelpFor(ev, cmd.Raw), nil
	case CmdTooLong:
		// The contract's answer to anything not understood, with why.
		r := s.Flow.HelpFor(ev, cmd.Raw) // Raw is cut, with "…"
		r.Parts = slices.Insert(r.Parts, 1, Part{Kind: Text, Text: fmt.Sprintf("Commands are at most %d characters; nothing was changed.", MaxCommandLen)})
		return r, nil
	case CmdHistory, CmdExport, CmdVerify:
		return s.audit(ctx, f, ev, cmd.Name)
	case CmdPacket:
		return s.packet(ctx, f, ev)
	case CmdAdmins, CmdPrincipals:
		return s.roleCommand(ctx, f, ev, cmd)
	case CmdFirms:
		return s.Console(ctx, f.Space(), ev)
	}
	need := keptRoles
	if freshCommands[cmd.Name] {
		need = freshRoles
	}
	return s.transact(ctx, f, ev.Name, need, func(fl *Flow, p Progress) Result {
		switch cmd.Name {
		case CmdStatus:
			return Result{Reply: fl.Status(p, ev.At)}
		case CmdDeadlines:
			return Result{Reply: fl.DeadlinesReply(p, ev.At)}
		case CmdDeadline:
			return fl.SetDeadline(p, ev, cmd.Args)
		case CmdAnnounce:
			return fl.Announce(p, ev, cmd.Args)
		case CmdUndo, CmdReset:
			if len(cmd.Args) > 0 { // "undo 3" must not undo the latest step
				return Result{Reply: noArgs(cmd.Name)}
			}
			if cmd.Name == CmdUndo {
				return fl.Undo(p, ev)
			}
			return fl.ResetPrompt(p, ev)
		case CmdEvidence:
			return Result{Reply: fl.EvidenceCommand(p, cmd.Args)}
		case CmdProfile:
			return fl.ProfileCommand(p, ev)
		}
		return Result{Reply: s.card(fl, f, p, ev.At, ev.User)}
	})
}

// Click handles a button press or form submission carrying token value.
func (s *Service) Click(ctx context.Context, f firm.ID, ev Event, value string) (Reply, error) {
	t, err := ParseToken(value)
	if err != nil {
		return Notice("Unrecognised button", "That button is not one of mine, or it is from an older version. Nothing was changed. Type `{cmd}` for the current step."), nil
	}
	ev = s.stamp(ev)
	ev.Token = t
	if t.Kind == KindConsole { // the workspace's list, not this firm's card
		return s.consoleClick(ctx, f.Space(), ev, t)
	}
	step := func(fl *Flow, p Progress) Result { return fl.Click(p, ev) }
	if freshClicks[t.Kind] {
		reply, err := s.transact(ctx, f, ev.Name, freshRoles, step)
		if err == nil && t.Kind == KindProfile && ev.Submitted {
			reply = s.withSameCRD(ctx, f, reply)
		}
		return reply, err
	}
	if reply, done, err := s.clickRemembered(ctx, f, ev.Name, t.Version, step); done {
		return reply, err
	}
	return s.applyFlow(ctx, f, ev.Name, step)
}

// Progress loads a firm's progress (for App Home and announcements).
func (s *Service) Progress(ctx context.Context, f firm.ID) (Progress, error) {
	return s.Store.Load(ctx, f)
}

func (s *Service) stamp(ev Event) Event {
	if ev.At.IsZero() {
		ev.At = s.Now()
	}
	return ev
}

// apply is applyAs for a change no person made (the bot's own).
func (s *Service) apply(ctx context.Context, f firm.ID, step func(Progress) Result) (Reply, error) {
	return s.applyAs(ctx, f, "", step)
}

// applyAs loads, transitions and commits, retrying on a concurrent change
// so that the transition always sees the state it is written over. The
// entry names the roadmap and the actor's display name, name.
func (s *Service) applyAs(ctx context.Context, f firm.ID, name string, step func(Progress) Result) (Reply, error) {
	return s.transact(ctx, f, name, noRoles, func(_ *Flow, p Progress) Result { return step(p) })
}

// applyFlow is applyAs with the flow as it applies to f: the operator's
// roles and f's workspace's (roles.go), read with the progress.
func (s *Service) applyFlow(ctx context.Context, f firm.ID, name string, step func(*Flow, Progress) Result) (Reply, error) {
	return s.transact(ctx, f, name, keptRoles, step)
}

// transact is applyAs and applyFlow: load (with the roles need says),
// transition, compare-and-set, retrying on a concurrent change.
func (s *Service) transact(ctx context.Context, f firm.ID, name string, need rolesRead, step func(*Flow, Progress) Result) (Reply, error) {
	for range maxAttempts {
		p, fl, err := s.load(ctx, f, need)
		if err != nil {
			return Reply{}, s.noteIntegrity("request", err)
		}
		if reply, again, err := s.transition(ctx, f, name, fl, p, step, true); !again {
			return reply, err
		}
	}
	return Reply{}, fmt.Errorf("%w: too many concurrent changes", ErrUnavailable)
}

// transition applies step to p and commits the result over it. again
// means nothing was written and the transition must be made afresh on a
// new Load: p was not what is stored. p is freshly loaded when fresh;
// otherwise it is the store's memory (remembered.go), which cannot answer
// a click that changes nothing, and which a commit refused by the store's
// guards (a conflict, a trail not ending where p says) shows only to be
// out of date.
func (s *Service) transition(ctx context.Context, f firm.ID, name string, fl *Flow, p Progress, step func(*Flow, Progress) Result, fresh bool) (reply Reply, again bool, err error) {
	res := step(fl, p)
	if res.Next == nil {
		return res.Reply, !fresh && !opensOnMemory(res.Reply), nil
	}
	res.Entry.Roadmap, res.Entry.Name = s.Flow.Roadmap.Ref(), name
	res.Entry.Seal(p.Seq, p.Head)
	res.Next.Seq, res.Next.Head = res.Entry.Seq, res.Entry.Hash
	err = s.Store.Commit(ctx, f, p.Version, *res.Next, res.Entry)
	if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrIntegrity) {
		// The write may have landed with its reply lost; the store
		// accepts an identical retry, so one retry settles it.
		err = s.Store.Commit(ctx, f, p.Version, *res.Next, res.Entry)
		if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrIntegrity) {
			return Reply{}, false, fmt.Errorf("%w: %w", ErrUncertain, err)
		}
		if errors.Is(err, ErrConflict) && s.landed(ctx, f, res.Entry) {
			res.Reply.Changed = true
			return res.Reply, false, nil // ours landed; someone else's followed
		}
	}
	switch {
	case errors.Is(err, ErrConflict), errors.Is(err, ErrIntegrity) && !fresh:
		return Reply{}, true, nil
	case err != nil: // an integrity failure: nothing was written
		return Reply{}, false, s.noteIntegrity("request", err)
	}
	res.Reply.Changed = true
	return res.Reply, false, nil
}

// landed reports whether entry is in the firm's audit trail at its place,
// i.e. a commit whose reply was lost did happen.
func (s *Service) landed(ctx context.Context, f firm.ID, entry Entry) bool {
	got, err := s.Store.Audit(ctx, f, entry.Seq-1, entry.Seq-1)
	return err == nil && len(got) == 1 && got[0].Hash == entry.Hash
}

func (s *Service) audit(ctx context.Context, f firm.ID, ev Event, name string) (Reply, error) {
	if name == CmdHistory {
		entries, err := s.Store.Audit(ctx, f, -HistoryLen, -1)
		if err != nil {
			return Reply{}, s.noteIntegrity("request", err)
		}
		return s.Flow.History(entries), nil
	}
	// The whole stored list, read with the progress in one step, so that
	// nothing stored is hidden and a commit landing meanwhile cannot look
	// like an entry past the recorded end.
	p, entries, err := s.Store.Trail(ctx, f)
	switch {
	case name == CmdVerify && errors.Is(err, ErrIntegrity):
		_ = s.noteIntegrity("verify", err)
		return integrityReport(err), nil
	case err != nil:
		return Reply{}, s.noteIntegrity("request", err)
	case name == CmdVerify:
		if b := VerifyChain(entries, p.Head); b != nil {
			_ = s.noteIntegrity("verify", ErrIntegrity)
			return s.Flow.verifyReply(entries, p.Head, b), nil
		}
		rp, err := s.replay(ctx, entries)
		if err != nil {
			return s.verifyFailed(err)
		}
		diffs := s.Flow.Differences(p, rp)
		if len(diffs) > 0 {
			_ = s.noteIntegrity("verify", ErrIntegrity)
		}
		return s.verifyRoles(ctx, f, s.Flow.differencesReply(entries, p.Head, diffs, rp.Against)), nil
	}
	return s.Flow.ExportProfile(f.Key(), p.Profile, entries, ev.At), nil
}

// History shows the latest audit entries, newest last.
func (f *Flow) History(entries []Entry) Reply {
	r := Reply{Title: "Audit trail — latest entries"}
	if len(entries) == 0 {
		r.text("No entries yet. Type `{cmd}` to start.")
		return r
	}
	lines := make([]string, len(entries))
	for i, e := range entries {
		lines[i] = fmt.Sprintf("`#%d` %s — %s %s", e.Seq, f.Stamp(e.At), Mention(e.User), f.entryText(e))
	}
	r.text(strings.Join(lines, "\n"))
	r.context("`{cmd} export` gives the full trail as CSV; `{cmd} verify` checks its hash chain.")
	return r
}

// Verify reports whether the trail's hash chain is intact.
func (f *Flow) Verify(entries []Entry, head string) Reply {
	return f.verifyReply(entries, head, VerifyChain(entries, head))
}

// verifyReply reports b, the result of VerifyChain(entries, head).
func (f *Flow) verifyReply(entries []Entry, head string, b *ChainBreak) Reply {
	if b != nil {
		return Notice("⚠️ Audit trail broken", fmt.Sprintf("The hash chain breaks at entry %d: %s. Entries before it are intact. Keep your exports and contact your administrator.", b.Seq, b.Reason))
	}
	if len(entries) == 0 {
		return Notice("Audit trail verified", "The audit trail is empty.")
	}
	all := fmt.Sprintf("All %d entries are", len(entries))
	if len(entries) == 1 {
		all = "The one entry is"
	}
	return Notice("✅ Audit trail verified", fmt.Sprintf("%s intact and chained (SHA-256). Latest hash: `%s`.", all, head))
}

// Unavailable is what a user is told when storage failed; whether their
// change may already have landed decides the advice.
func Unavailable(err error) Reply {
	if errors.Is(err, ErrIntegrity) {
		return IntegrityFailed()
	}
	if errors.Is(err, ErrUncertain) {
		return Notice("Temporarily unavailable", "caisbot lost contact with its database while saving, so your confirmation may not have been recorded. Check `{cmd} status` in a minute before trying again.")
	}
	return Notice("Temporarily unavailable", "caisbot could not reach its database. Nothing was changed. Please try again in a minute.")
}

// opensOnMemory tells the one answer without a change that a click may
// give from remembered progress: an answer's form (Step 4's agents, the
// certification request). It is the roadmap's, showing nothing stored,
// and its submission is a confirmation that meets the stored state.
// Other forms show what is stored (a wait, the agents list) and must not
// show a memory another replica has overtaken; any other answer is told
// from what is stored.
func opensOnMemory(r Reply) bool {
	t, err := ParseToken(r.FormToken)
	return r.Form != nil && err == nil && t.Kind == KindChoose
}
