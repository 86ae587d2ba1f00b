package dialogs

import (
	"slices"
	"strings"
	"time"

	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/cache"
)

// Drawing the step card is most of a /cais-next's own work, and the same
// card is asked for again and again between changes. cardMemo keeps the
// cards drawn by everything CardFor reads: the flow's roadmap, zone and
// role lists, the day in that zone, the viewer, and the progress, named
// by its firm, version and trail head. Every commit moves the version and
// chains the head (the commit script refuses anything else, and a click
// commits on remembered progress by the same identity), so two progresses
// with the same three are the same progress.
type cardMemo struct{ m cache.Map[cardKey, Reply] }

type cardKey struct {
	firm               string
	version            int64
	head               string
	year               int
	month              time.Month
	day                int
	viewer             string
	admins, principals string
	roadmap            *Roadmap
	loc                *time.Location
}

// maxCards bounds the memo (a card is 2–4 KB): a card per firm and viewer
// being what repeats.
var maxCards = cache.Limit{Max: 2048}

// card is fl.CardFor(p, at, viewer) for firm f, drawn once per key.
func (s *Service) card(fl *Flow, f firm.ID, p Progress, at time.Time, viewer string) Reply {
	k := cardKey{firm: f.Key(), version: p.Version, head: p.Head, viewer: viewer,
		admins: strings.Join(fl.Admins, "\x00"), principals: strings.Join(fl.Principals, "\x00"), // no id holds a NUL
		roadmap: fl.Roadmap, loc: fl.Loc}
	k.year, k.month, k.day = at.In(fl.Loc).Date()
	if r, ok := s.cards.m.Get(k); ok {
		return r.shared()
	}
	r := fl.CardFor(p, at, viewer)
	s.cards.m.Put(k, r, maxCards)
	return r.shared()
}

// shared is r with its lists clipped, so that a caller's append to a kept
// card makes a copy instead of writing into it.
func (r Reply) shared() Reply {
	r.Parts, r.Actions = slices.Clip(r.Parts), slices.Clip(r.Actions)
	return r
}
