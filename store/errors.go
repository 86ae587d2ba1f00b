package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
)

// ErrSequence means a Commit would break the version or audit sequence
// (next.Version != expect+1, entry.Seq != trail length+1, or entry.Prev
// not the hash of the trail's last entry); the script refuses it so the
// trail stays intact. The first is a programming error. The others, when
// the caller sealed the entry after the progress it loaded, mean the
// stored trail is not the one that progress records (an entry added,
// removed or changed behind the bot's back, or a restore): such an error
// also matches dialogs.ErrIntegrity.
var ErrSequence = errors.New("store: commit out of sequence")

// guardCode starts the commit script's own error replies; seqGuard starts
// the one for a trail whose length is not what the progress records.
const (
	guardCode = "CAISBOT"
	seqGuard  = guardCode + " entry seq "
	headGuard = guardCode + " entry prev "
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
		for _, g := range integrityGuards {
			if strings.HasPrefix(rerr.Error(), g.prefix) {
				return fmt.Errorf("%w: %w", ErrSequence, dialogs.Integrity(firm, g.problem, errors.New(msg)))
			}
		}
		return fmt.Errorf("%w: %s: %s", ErrSequence, firm, msg)
	}
	return unavailable("commit "+firm, err)
}

// integrityGuards are the script's refusals that mean the stored trail is
// not the one the progress records.
var integrityGuards = []struct{ prefix, problem string }{
	{seqGuard, "the stored audit trail is longer or shorter than the progress records"},
	{headGuard, "the stored audit trail does not end with the entry the progress records"},
}
