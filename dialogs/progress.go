package dialogs

import (
	"slices"
	"time"
)

// Progress is one firm's state. Everything the bot knows about a firm's
// onboarding is derived from it, so it is the unit of compare-and-set.
type Progress struct {
	// Version increases by one with every committed change; 0 means the
	// firm has never been seen.
	Version int64 `json:"v"`
	// Current is the step or outcome the firm is on; empty means the
	// roadmap's start.
	Current string `json:"cur,omitempty"`
	// Opened is the version at which Current became current: a card drawn
	// before it belongs to an earlier visit of the step and is stale.
	Opened int64 `json:"opened,omitempty"`
	// Path lists the confirmed choices in order; undo pops the last one.
	Path []Confirmation `json:"path,omitempty"`
	// Targets are the firm's own target dates, by step id (YYYY-MM-DD).
	Targets map[string]string `json:"targets,omitempty"`
	// Channels subscribed to deadline announcements, with who asked.
	Channels map[string]Subscription `json:"channels,omitempty"`
	// Seq and Head describe the audit trail's last entry, so the next
	// entry can be chained without reading the trail.
	Seq  int64  `json:"seq,omitempty"`
	Head string `json:"head,omitempty"`
	// Last summarises the latest change, to explain stale clicks.
	Last *Change `json:"last,omitempty"`
	// Waits are the outside parties steps wait on, by step id (wait.go).
	Waits map[string]Wait `json:"waits,omitempty"`
	// Evidence is what the firm kept for each step, by step id, in the
	// order it was added (evidence.go).
	Evidence map[string][]Evidence `json:"evidence,omitempty"`
	// Profile is the firm's legal name and CRD number (profile.go).
	Profile *Profile `json:"profile,omitempty"`
	// Pending is the current step's confirmation while it awaits a
	// principal's approval (maker-checker, approval.go): the step stays
	// current until it is approved, sent back or withdrawn.
	Pending *Pending `json:"pending,omitempty"`
	// SentBack is the latest submission a principal sent back, shown on
	// its step's card until the firm next moves (approval.go).
	SentBack *SentBack `json:"sent_back,omitempty"`
}

// Confirmation records one answered step.
type Confirmation struct {
	Step   string    `json:"step"`
	Choice string    `json:"choice"`
	User   string    `json:"user"`
	At     time.Time `json:"at"`
	// Agents names the CAT Reporting Agents given with the choice.
	Agents []string `json:"agents,omitempty"`
	// Agent is the one agent a per-agent step's confirmation is about.
	Agent string `json:"agent,omitempty"`
	// Approver is the principal who approved the step (maker-checker); empty when none was needed.
	Approver   string    `json:"approver,omitempty"`
	ApprovedAt time.Time `json:"approved_at,omitzero"`
}

// Subscription is a channel's request for deadline announcements.
type Subscription struct {
	User string    `json:"user"`
	At   time.Time `json:"at"`
	// Paused is when announcements were paused because the workspace
	// removed caisbot (announce_pause.go); zero while they run. Resumed
	// is the latest reinstall that resumed them: reminders that fell due
	// before it are not owed, as those before At are not.
	Paused  time.Time `json:"paused,omitzero"`
	Resumed time.Time `json:"resumed,omitzero"`
}

// Change is who did what and when, for telling a late clicker.
type Change struct {
	Action string    `json:"action"`
	Step   string    `json:"step,omitempty"`
	User   string    `json:"user"`
	At     time.Time `json:"at"`
	// Choice is the button a reopen came from, to name the step reopened.
	Choice string `json:"choice,omitempty"`
}

// Clone returns a deep copy so a transition never mutates its input.
func (p Progress) Clone() Progress {
	q := p
	q.Path = slices.Clone(p.Path)
	for i := range q.Path {
		q.Path[i].Agents = slices.Clone(q.Path[i].Agents)
	}
	if p.Targets != nil {
		q.Targets = make(map[string]string, len(p.Targets))
		for k, v := range p.Targets {
			q.Targets[k] = v
		}
	}
	if p.Channels != nil {
		q.Channels = make(map[string]Subscription, len(p.Channels))
		for k, v := range p.Channels {
			q.Channels[k] = v
		}
	}
	if p.Waits != nil {
		q.Waits = make(map[string]Wait, len(p.Waits))
		for k, v := range p.Waits {
			q.Waits[k] = v
		}
	}
	if p.Evidence != nil {
		q.Evidence = make(map[string][]Evidence, len(p.Evidence))
		for k, v := range p.Evidence {
			q.Evidence[k] = slices.Clone(v)
		}
	}
	if p.Last != nil {
		l := *p.Last
		q.Last = &l
	}
	if p.Profile != nil {
		pr := *p.Profile
		q.Profile = &pr
	}
	if p.Pending != nil {
		pe := *p.Pending
		pe.Confirmation.Agents = slices.Clone(pe.Confirmation.Agents)
		q.Pending = &pe
	}
	if p.SentBack != nil {
		sb := *p.SentBack
		q.SentBack = &sb
	}
	return q
}

// Confirmed returns the latest confirmation of step, if it is on the path.
func (p Progress) Confirmed(step string) (Confirmation, bool) {
	for i := len(p.Path) - 1; i >= 0; i-- {
		if p.Path[i].Step == step {
			return p.Path[i], true
		}
	}
	return Confirmation{}, false
}

// Agents returns the CAT Reporting Agents the firm named, if it chose one.
func (p Progress) Agents() []string {
	for _, c := range p.Path {
		if len(c.Agents) > 0 {
			return c.Agents
		}
	}
	return nil
}
