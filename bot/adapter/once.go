package adapter

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// Exactly once per delivery. A platform may deliver one request more than
// once — Slack lets a signed request be replayed for five minutes and
// redelivers an unacknowledged Socket Mode envelope, Teams re-sends an
// activity it got no answer for, a user double-clicks a form's submit —
// and each must change the record once. So every request that may change
// it is claimed first under its delivery key (DeliveryKey and the helpers
// below), in the store with SET NX for DeliveryTTL. The first runs; its
// answer is kept under the key if it changed something (or may have), so
// a duplicate gets that answer again and runs nothing; a request that
// changed nothing releases its key, so a redelivery after "nothing was
// changed" is acted on. A person typing the same command again is a new
// delivery (new timestamp and signature, new envelope or activity id).
// Button clicks need none of this: their versioned tokens meet the
// current state.

// Claims is what exactly-once delivery needs from the store: opaque keys
// with a time to live (store.Redis has it).
type Claims interface {
	// ClaimDelivery sets key to value for ttl unless it is set; if it is, first
	// is false and held is its value (nil if it just expired).
	ClaimDelivery(ctx context.Context, key string, value []byte, ttl time.Duration) (first bool, held []byte, err error)
	// KeepDelivery replaces a claimed key's value for ttl.
	KeepDelivery(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// ReleaseDelivery forgets a claim.
	ReleaseDelivery(ctx context.Context, key string) error
}

// DeliveryTTL is how long a delivery is remembered: a little over Slack's
// five-minute replay window and its redeliveries, and Teams' retries.
const DeliveryTTL = 6 * time.Minute

// maxKept bounds a first answer kept for its duplicates; a longer one is
// remembered as done, and the duplicate is told AlreadyHandled.
const maxKept = 16 << 10

// Claim values: a delivery still running, or done with its answer.
const (
	claimRunning = "r"
	claimDone    = "d"
)

// Once claims deliveries in Claims; build it with NewOnce.
type Once struct {
	claims Claims
	ttl    time.Duration
	log    *slog.Logger
}

// NewOnce returns deliveries claimed in c for DeliveryTTL; c is required.
func NewOnce(c Claims, log *slog.Logger) (*Once, error) {
	if c == nil {
		return nil, errors.New("adapter: NewOnce needs the store's claims")
	}
	if log == nil {
		log = slog.Default()
	}
	return &Once{claims: c, ttl: DeliveryTTL, log: log}, nil
}

// DeliveryKey names one delivery: kind, then a digest of parts (each may
// hold anything; they are length-delimited before hashing).
func DeliveryKey(kind string, parts ...string) string {
	// Every request has one: built on the stack, for the usual short parts.
	b := make([]byte, 0, 256)
	for _, p := range parts {
		b = binary.BigEndian.AppendUint64(b, uint64(len(p)))
		b = append(b, p...)
	}
	sum := sha256.Sum256(b)
	var digest [40]byte
	hex.Encode(digest[:], sum[:20])
	return kind + ":" + string(digest[:])
}

// FormKey names a form submission: the form's id on the platform (Slack's
// view id) and what was submitted, so the same form submitted twice with
// the same input is one delivery, and corrected input a new one.
func FormKey(platform, formID string, submitted any) string {
	b, _ := json.Marshal(submitted) // maps marshal in key order
	return DeliveryKey(platform+"-form", formID, string(b))
}

// Duplicate is a delivery claimed before.
type Duplicate struct {
	// Done says the first delivery finished; Answer is what it answered
	// (nil if nothing, or too long to keep).
	Done   bool
	Answer []byte
}

// Claim is a delivery this request is acting on; a nil Claim is a
// request that needs none.
type Claim struct {
	o   *Once
	key string
}

// Begin claims key. A duplicate comes back as dup (and no claim); err is
// the store's failure, to be answered "nothing was changed". An empty key
// (a request with nothing to tell it apart) is not claimed.
func (o *Once) Begin(ctx context.Context, key string) (c *Claim, dup *Duplicate, err error) {
	if key == "" {
		return nil, nil, nil
	}
	first, held, err := o.claims.ClaimDelivery(ctx, key, []byte(claimRunning), o.ttl)
	switch {
	case err != nil:
		return nil, nil, err
	case first:
		return &Claim{o: o, key: key}, nil, nil
	}
	d := &Duplicate{}
	if len(held) > 0 && string(held[:1]) == claimDone {
		d.Done = true
		if len(held) > 1 {
			d.Answer = held[1:]
		}
	}
	return nil, d, nil
}

// Finish ends a claimed delivery: kept (it changed the record, or may
// have) remembers answer for duplicates; otherwise the claim is released.
// A store failure here only loses that memory, so it is logged.
func (c *Claim) Finish(ctx context.Context, kept bool, answer []byte) {
	if c == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	var err error
	if !kept {
		err = c.o.claims.ReleaseDelivery(ctx, c.key)
	} else {
		if len(answer) > maxKept {
			answer = nil
		}
		err = c.o.claims.KeepDelivery(ctx, c.key, append([]byte(claimDone), answer...), c.o.ttl)
	}
	if err != nil {
		Logger(ctx, c.o.log).Warn("delivery claim not updated", "kept", kept, "err", err)
	}
}

// Keeps says whether a request's claim must stay: it changed the record,
// its commit is in doubt, or it uploads a file (an export, a packet) that
// a replay would upload again.
func Keeps(reply dialogs.Reply, err error) bool {
	return reply.Changed || reply.File != nil || errors.Is(err, dialogs.ErrUncertain)
}

// AlreadyHandled answers a duplicate delivery whose first answer is not
// kept (or not ready yet).
func AlreadyHandled() dialogs.Reply {
	return dialogs.Notice("Already received", "caisbot received this request twice and acted on it once; nothing more was changed. Type `{cmd} status` to see where things stand.")
}

type deliveryKey struct{}

// WithDelivery gives ctx the transport's delivery key (a signed HTTP
// request's, a Socket Mode envelope's), for the handler that claims it.
func WithDelivery(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, deliveryKey{}, key)
}

// DeliveryOf is the key WithDelivery gave ctx, or "".
func DeliveryOf(ctx context.Context) string {
	k, _ := ctx.Value(deliveryKey{}).(string)
	return k
}
