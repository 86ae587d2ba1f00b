// Package ledger holds the announcer's bookkeeping: the reminders owed
// (occurrences), the claims senders take on them and the results they
// record. The store keeps them; the announcer decides them.
package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/caisbot/caisbot/firm"
)

// Occurrence is one reminder owed: deadline Deadline, due on Day, posted
// to Channel of Firm Lead days before. Day is part of it so that moving a
// target date makes its reminders new ones.
type Occurrence struct {
	Firm     firm.ID
	Channel  string
	Deadline string // Deadline.ID
	Day      string // YYYY-MM-DD
	Lead     int
}

// ID is the occurrence's stable identifier, carried in the posted
// message's metadata so a sender that lost track can find its post. It
// hashes the firm's key, not its platform, so ids recorded before firms
// said their platform stay the same.
func (o Occurrence) ID() string {
	sum := o.Sum()
	return hex.EncodeToString(sum[:])
}

// AppendID appends ID to b (for a key built around it).
func (o Occurrence) AppendID(b []byte) []byte {
	sum := o.Sum()
	return hex.AppendEncode(b, sum[:])
}

// Sum is the ID's 16 bytes, for sets that hold many occurrences: the
// SHA-256 of the firm key, channel, deadline, day and lead joined by
// NULs. It is built in a buffer on the stack: the announcer hashes every
// reminder several times per post.
func (o Occurrence) Sum() [16]byte {
	var buf [256]byte
	b := o.Firm.AppendKey(buf[:0])
	for _, part := range [...]string{o.Channel, o.Deadline, o.Day} {
		b = append(append(b, 0), part...)
	}
	b = strconv.AppendInt(append(b, 0), int64(o.Lead), 10)
	sum := sha256.Sum256(b)
	return [16]byte(sum[:16])
}

// Occurrence states, as the announcement ledger records them.
const (
	StateClaimed = "claimed" // a sender holds a lease and may be posting
	StateSent    = "sent"    // posted; Ref is the platform's message id
	StateGone    = "gone"    // the channel refused it; the subscription ended
	StateFailed  = "failed"  // given up (refused content, or never delivered on its day)
	StateSkipped = "skipped" // its day passed while no sender ran
)

// ClaimOutcome says what a claim attempt found.
type ClaimOutcome int

// Claim outcomes.
const (
	// Claimed: the caller holds the lease (a first claim, or its own
	// claim renewed) and may post.
	Claimed ClaimOutcome = iota + 1
	// Retaken: an earlier sender's lease lapsed with no result recorded.
	// The caller holds the lease now, but that sender may have posted:
	// look for the post before posting again.
	Retaken
	// Held: another sender holds a live lease.
	Held
	// Done: the occurrence reached State earlier.
	Done
)

// Claim is the answer to a claim attempt.
type Claim struct {
	Outcome ClaimOutcome
	State   string // the state now recorded
	Ref     string // message id, for StateSent
}

// Settlement is a result to record for an occurrence.
type Settlement struct {
	Occurrence Occurrence
	State      string
	Ref        string
}
