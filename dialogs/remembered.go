package dialogs

import (
	"context"

	"github.com/caisbot/caisbot/firm"
)

// Remembering is a Store that keeps the progress it last read or wrote for
// a firm, so that a click on the card just delivered can commit without
// reading first: one Redis round trip instead of two. Its Commit must then
// refuse, besides a version other than expect (ErrConflict), a trail that
// does not end with the entry whose hash is the new entry's Prev
// (ErrIntegrity): a restored database can reach the remembered version
// again with a different history, and only the trail's head tells them
// apart, so that the chain can never fork.
type Remembering interface {
	// Remembered returns a copy of the progress last read or committed
	// for f here, which may since have changed; ok is false if none.
	Remembered(f firm.ID) (p Progress, ok bool)
}

// clickRemembered makes a click on the progress the store remembers, if
// that is the version the clicked card was drawn from. done is false when
// the click must be made afresh: nothing remembered, another version, a
// click that would change nothing (its answer must come from what is
// stored, not from memory; but an answer's form opens on memory, see
// opensOnMemory), or a commit the store refused because the memory was
// out of date (another replica's change, a restore). Roles come as for
// any click (Service.load); with store.Redis they are kept in memory while
// they cannot have changed.
func (s *Service) clickRemembered(ctx context.Context, f firm.ID, name string, card int64, step func(*Flow, Progress) Result) (reply Reply, done bool, err error) {
	rs, ok := s.Store.(Remembering)
	if !ok || card == 0 {
		return Reply{}, false, nil
	}
	p, ok := rs.Remembered(f)
	if !ok || p.Version != card {
		return Reply{}, false, nil
	}
	fl, err := s.flowFor(ctx, f)
	if err != nil {
		return Reply{}, true, err
	}
	reply, again, err := s.transition(ctx, f, name, fl, p, step, false)
	return reply, !again, err
}
