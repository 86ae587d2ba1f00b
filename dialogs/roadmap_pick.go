package dialogs

import (
	"context"
	"errors"
	"fmt"
)

// RoadmapTexts reads back a roadmap's text kept by its SHA-256
// (store.Redis). A Store that has it lets verify replay each entry
// against the roadmap the entry names; found is false for a text never
// kept, and a kept text that no longer matches its hash is an error
// matching ErrIntegrity.
type RoadmapTexts interface {
	RoadmapText(ctx context.Context, sum string) (text []byte, found bool, err error)
}

// replay replays entries, each against the roadmap it names: the running
// one when it names that one, the roadmap builds embedded before entries
// named one when it names none (RoadmapBeforeRefs), else the text kept
// under its hash. An entry naming a
// roadmap that cannot be read back is replayed against the running one
// and reported as a problem, so verify fails and says which.
func (s *Service) replay(ctx context.Context, entries []Entry) (Replayed, error) {
	k, err := s.entryRoadmaps(ctx, entries)
	if err != nil {
		return Replayed{}, err
	}
	return k.replay(entries), nil
}

// entryRoadmaps are the roadmaps a trail's entries name, read back.
type entryRoadmaps struct {
	current *Roadmap
	byRef   map[string]*Roadmap
	missing map[string]string // ref → why it could not be read
	order   []string          // refs in the order entries first name them
	// unnamed says some entry names no roadmap (RoadmapBeforeRefs).
	unnamed bool
}

// entryRoadmaps reads back every roadmap entries name.
func (s *Service) entryRoadmaps(ctx context.Context, entries []Entry) (entryRoadmaps, error) {
	current := s.Flow.Roadmap
	before, _ := RoadmapBeforeRefs()
	k := entryRoadmaps{current: current, byRef: map[string]*Roadmap{"": before, current.Ref(): current}, missing: map[string]string{}}
	named := map[string]bool{"": true}
	for _, e := range entries {
		k.unnamed = k.unnamed || e.Roadmap == ""
		if !named[e.Roadmap] {
			named[e.Roadmap] = true
			k.order = append(k.order, e.Roadmap)
		}
		if _, seen := k.byRef[e.Roadmap]; seen || k.missing[e.Roadmap] != "" {
			continue
		}
		r, why, err := s.keptRoadmap(ctx, e.Roadmap)
		if err != nil {
			return entryRoadmaps{}, err
		}
		if r == nil {
			k.missing[e.Roadmap] = why
			continue
		}
		k.byRef[e.Roadmap] = r
	}
	return k, nil
}

// of is the roadmap entry e is read against.
func (k entryRoadmaps) of(e Entry) *Roadmap {
	if r := k.byRef[e.Roadmap]; r != nil {
		return r
	}
	return k.current
}

func (k entryRoadmaps) replay(entries []Entry) Replayed {
	rp := ReplayEach(k.of, entries)
	rp.Against = roadmapsUsed(entries, k.of)
	told := map[string]bool{}
	for _, e := range entries {
		if why := k.missing[e.Roadmap]; why != "" && !told[e.Roadmap] {
			told[e.Roadmap] = true
			rp.problem(e, "names the roadmap “"+Lit(e.Roadmap)+"”, "+why+"; it and later entries naming it were replayed against the roadmap running now")
		}
	}
	return rp
}

// keptRoadmap reads the roadmap ref names from the store; a nil roadmap
// comes with why it could not be (in words for verify).
func (s *Service) keptRoadmap(ctx context.Context, ref string) (*Roadmap, string, error) {
	_, sum, ok := SplitRoadmapRef(ref)
	if !ok {
		return nil, "which is not a roadmap version and SHA-256", nil
	}
	texts, ok := s.Store.(RoadmapTexts)
	if !ok {
		return nil, "whose text this store does not keep", nil
	}
	text, found, err := texts.RoadmapText(ctx, sum)
	switch {
	case err != nil:
		return nil, "", err
	case !found:
		return nil, "whose text is not kept in the database", nil
	}
	r, err := Parse(text)
	if err != nil {
		return nil, fmt.Sprintf("whose kept text no longer reads as a roadmap (%s)", Lit(err.Error())), nil
	}
	return r, "", nil
}

// verifyFailed answers verify when a roadmap an entry names could not be
// read: a kept text that was edited is reported like any other integrity
// failure; anything else is the store being unavailable.
func (s *Service) verifyFailed(err error) (Reply, error) {
	if errors.Is(err, ErrIntegrity) {
		_ = s.noteIntegrity("verify", err)
		return integrityReport(err), nil
	}
	return Reply{}, s.noteIntegrity("request", err)
}
