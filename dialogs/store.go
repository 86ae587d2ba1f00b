package dialogs

import (
	"context"
	"errors"

	"github.com/caisbot/caisbot/firm"
)

// ErrConflict means the firm's progress changed between Load and Commit.
var ErrConflict = errors.New("progress changed concurrently")

// ErrUnavailable wraps storage failures so every platform can say
// "temporarily unavailable, nothing was changed".
var ErrUnavailable = errors.New("storage temporarily unavailable")

// ErrUncertain means a write failed in a way that leaves unknown whether
// it landed: the user must check before trying again.
var ErrUncertain = errors.New("the change may not have been saved")

// Store is what the flow needs from persistence. Implementations must make
// Commit atomic: the progress and its audit entry are written together or
// not at all.
type Store interface {
	// Load returns the firm's progress; a firm never seen has Version 0.
	Load(ctx context.Context, f firm.ID) (Progress, error)
	// Commit stores next and appends entry if the stored version still
	// equals expect; otherwise it returns ErrConflict and writes nothing.
	Commit(ctx context.Context, f firm.ID, expect int64, next Progress, entry Entry) error
	// Audit returns entries by position with LRANGE semantics: 0 is the
	// first entry, -1 the last, both ends inclusive.
	Audit(ctx context.Context, f firm.ID, start, stop int64) ([]Entry, error)
	// Trail returns the firm's progress and every stored audit entry, read
	// together so that no commit lands between them.
	Trail(ctx context.Context, f firm.ID) (Progress, []Entry, error)
	// Load, Audit and Trail return an error matching ErrIntegrity for
	// stored data that cannot be read; Commit does for a trail whose
	// length is not the one the stored progress records.
}
