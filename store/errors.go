package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
)

// ErrSequence means a Commit would break the version or audit sequence
// (next.Version != expect+1, or entry.Seq != trail length+1); the script
// refuses it so the trail stays intact. The first is a programming error.
// The second, when the caller sealed the entry after the progress it
// loaded, means the stored trail is longer or shorter than that progress
// records (an entry added or removed behind the bot's back): such an
// error also matches dialogs.ErrIntegrity.
var ErrSequence = errors.New("store: commit out of sequence")

// guardCode starts the commit script's own error replies; seqGuard starts
// the one for a trail whose length is not what the progress records.
const (
	guardCode = "CAISBOT"
	seqGuard  = guardCode + " entry seq "
)

// unavailable wraps a Redis or network failure so callers can match
// dialogs.ErrUnavailable while logs keep the cause.
func unavailable(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", dialogs.ErrUnavailable, what, err)
}

// scriptError tells the commit script's guard replies, which are bugs in
// the caller, from Redis being unwell.
func scriptError(firm string, err error) error {
	var rerr redis.Error
	if errors.As(err, &rerr) && strings.HasPrefix(rerr.Error(), guardCode) {
		msg := strings.TrimSpace(strings.TrimPrefix(rerr.Error(), guardCode))
		if strings.HasPrefix(rerr.Error(), seqGuard) {
			problem := "the stored audit trail is longer or shorter than the progress records"
			return fmt.Errorf("%w: %w", ErrSequence, dialogs.Integrity(firm, problem, errors.New(msg)))
		}
		return fmt.Errorf("%w: %s: %s", ErrSequence, firm, msg)
	}
	return unavailable("commit "+firm, err)
}
