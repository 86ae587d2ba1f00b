package dialogs

// targetOwner is the step a target date is kept under: for a step in
// parts (6(A)), its first part, the one `deadline 6A` names, so the
// card's button on any part and the command set the same target.
func (r *Roadmap) targetOwner(s *Step) *Step {
	if s.outcome {
		return s
	}
	for i := range r.Steps {
		if r.Steps[i].Number == s.Number && !r.Steps[i].outcome {
			return &r.Steps[i]
		}
	}
	return s
}

// targetName names what a target is for: the step's heading, or for a
// step in parts its number alone, since one target covers every part.
func (r *Roadmap) targetName(s *Step) string {
	if r.lastPart(s) != s.ID || r.targetOwner(s) != s {
		return s.Short()
	}
	return s.Heading()
}

// shadowed says a target kept under a later part of s's step is not the
// step's target, because its first part has one (targetOf's choice), so
// lists and reminders show the one target the card shows.
func (f *Flow) shadowed(p Progress, s *Step) bool {
	o := f.Roadmap.targetOwner(s)
	_, owned := p.Targets[o.ID]
	return o != s && owned
}

// targetOf is the target set for step s and the step it is kept under.
// A target kept under a later part (as a card's button set it before
// targets moved to the first part) still counts, so it is shown,
// changed and cleared rather than joined by a second one.
func (f *Flow) targetOf(p Progress, s *Step) (owner *Step, date string, ok bool) {
	o := f.Roadmap.targetOwner(s)
	if len(p.Targets) == 0 { // most cards: nothing to look for
		return o, "", false
	}
	if t, ok := p.Targets[o.ID]; ok {
		return o, t, true
	}
	for i := range f.Roadmap.Steps {
		part := &f.Roadmap.Steps[i]
		if t, ok := p.Targets[part.ID]; ok && part.Number == o.Number && !part.outcome {
			return part, t, true
		}
	}
	return o, "", false
}
