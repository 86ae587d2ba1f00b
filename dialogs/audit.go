package dialogs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Entry is one line of a firm's audit trail. The trail is append-only:
// undo and reset are new entries, never edits.
type Entry struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Action string    `json:"action"` // confirm, undo, reset, deadline, announce, announce_off, …
	Step   string    `json:"step,omitempty"`
	Choice string    `json:"choice,omitempty"`
	Detail string    `json:"detail,omitempty"`
	// Card is the progress version the clicked card was drawn from.
	Card int64 `json:"card,omitempty"`
	// Version is the progress version this entry produced.
	Version int64 `json:"version"`
	// Prev is the Hash of the previous entry ("" for the first); Hash is
	// the SHA-256 of this entry's other fields, Prev included.
	Prev string `json:"prev"`
	Hash string `json:"hash"`
	// Roadmap names the roadmap the entry was made against (RoadmapRef:
	// "<version>@sha256:<hex>"); Name is the actor's display name as the
	// platform showed it then. Entries written before they existed have
	// neither and are hashed with the older recipe (digest).
	Roadmap string `json:"roadmap,omitempty"`
	Name    string `json:"name,omitempty"`
}

// Audit actions.
const (
	ActConfirm     = "confirm"
	ActUndo        = "undo"
	ActReset       = "reset"
	ActDeadline    = "deadline"
	ActAnnounce    = "announce"
	ActAnnounceOff = "announce_off"
	ActWait        = "wait"     // a step's wait set or changed
	ActWaitEnd     = "wait_end" // a step's wait cleared
	// A workspace removed caisbot (its subscriptions pause) or added it
	// back (they resume); see announce_pause.go.
	ActAnnouncePause  = "announce_pause"
	ActAnnounceResume = "announce_resume"
	// Maker-checker (approval.go): an answer confirmed and awaiting a
	// principal's approval, its approval (the confirmation takes effect),
	// and its sending back (Detail: the reason).
	ActSubmit   = "submit"
	ActApprove  = "approve"
	ActSendBack = "send_back"
)

// Seal fills Seq, Prev and Hash so the entry extends the chain whose last
// entry had sequence seq and hash head.
func (e *Entry) Seal(seq int64, head string) {
	e.Seq = seq + 1
	e.Prev = head
	e.Hash = e.digest()
}

// digest hashes a fixed field order, independent of JSON tags, so that
// the chain survives encoding changes. The hashed text is the compact JSON
// array [seq, at, user, action, step, choice, detail, card, version, prev]
// with no HTML escaping, so an examiner can recompute it from the export
// with any JSON library (README, "Audit trail"). An entry that names a
// roadmap or a display name appends both: [..., prev, roadmap, name];
// one that names neither (every entry before they existed) keeps the
// ten-field recipe it was written with.
func (e Entry) digest() string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	fields := []any{
		e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.User, e.Action, e.Step,
		e.Choice, e.Detail, e.Card, e.Version, e.Prev,
	}
	if e.Roadmap != "" || e.Name != "" {
		fields = append(fields, e.Roadmap, e.Name)
	}
	_ = enc.Encode(fields)
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return hex.EncodeToString(sum[:])
}

// ChainBreak says where an audit trail stops being trustworthy.
type ChainBreak struct {
	Seq    int64 // sequence number of the first bad entry (or the expected one, if missing)
	Reason string
}

func (b *ChainBreak) Error() string { return fmt.Sprintf("entry %d: %s", b.Seq, b.Reason) }

// pastEnd reports stored entries after the recorded end, the entry at
// index end (-1: the progress records none).
func pastEnd(end, stored int) *ChainBreak {
	recorded := fmt.Sprintf("entry %d", end+1)
	if end == -1 {
		recorded = "no entries"
	}
	after := nouns(stored-end-1, "entry", "entries") + " stored after that end were"
	if stored-end-1 == 1 {
		after = "the one entry stored after that end was"
	}
	return &ChainBreak{Seq: int64(end + 2), Reason: fmt.Sprintf("it is past the recorded end of the trail (%s); %s added outside the bot", recorded, after)}
}

// VerifyChain checks that entries form an unbroken chain from the first
// entry, ending at head; it returns nil when they do.
func VerifyChain(entries []Entry, head string) *ChainBreak {
	// end is the index of the entry whose hash is head: -1 when head is
	// empty (before the first entry), -2 while not found.
	prev, end := "", -2
	if head == "" {
		end = -1
	}
	for i, e := range entries {
		want := int64(i + 1)
		switch {
		case e.Seq != want:
			return &ChainBreak{Seq: want, Reason: fmt.Sprintf("missing or out of order (found entry %d)", e.Seq)}
		case e.Prev != prev:
			return &ChainBreak{Seq: e.Seq, Reason: "does not link to the entry before it (an entry was changed, removed or inserted)"}
		case e.digest() != e.Hash:
			return &ChainBreak{Seq: e.Seq, Reason: "its content does not match its hash (it was edited)"}
		}
		prev = e.Hash
		if prev == head && end == -2 {
			end = i
		}
	}
	if prev != head && end >= -1 {
		return pastEnd(end, len(entries))
	}
	if prev != head {
		return &ChainBreak{Seq: int64(len(entries) + 1), Reason: "the trail ends early: later entries are missing"}
	}
	return nil
}
