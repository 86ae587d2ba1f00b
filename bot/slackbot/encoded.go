package slackbot

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
	"sync"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/cache"
)

// card returns the JSON of a step card as a slash-command answer.
// Rendering and encoding were a quarter of a /cais-next, and the same card
// is asked for again and again until someone confirms it, so results are
// remembered by the reply's full content: an equal reply gets the same
// bytes, anything else is rendered afresh. Other replies (status, history,
// cards that replace a clicked one) change with every confirmation, so
// keeping them would only push out the cards that are asked for again.
func (h *Handler) card(r dialogs.Reply) json.RawMessage {
	if r.Form != nil || r.File != nil {
		return h.encode(r, false)
	}
	return h.cards.get(r, false, func() json.RawMessage { return h.encode(r, false) })
}

// encode is the JSON of r as an ephemeral reply (blockjson.go).
func (h *Handler) encode(r dialogs.Reply, replace bool) json.RawMessage {
	return h.render.appendMessage(make([]byte, 0, 4096), r, replace)
}

// cards holds encoded messages by a binary encoding of what they were
// rendered from and whether they replace the clicked card (every field,
// so replies that differ in anything encode differently). A hit compares
// the whole encoding (the hash only finds it), so nothing can be served
// for a reply it was not rendered from. It is generic so that a test can
// show this with a field Reply lacks.
type cards[R any] struct {
	seed maphash.Seed
	key  func([]byte, R) ([]byte, bool) // the encoding; false: not kept
	m    cache.Map[uint64, card]
}

type card struct {
	from []byte // the encoding of the reply and replace flag
	b    json.RawMessage
}

type cardCache = cards[dialogs.Reply]

// cardLimit bounds the cache (up to about 4 KB a card and 2 KB what it was
// rendered from, so some 12 MB): one current card for each of as many
// firms, a reply per firm being what repeats.
var cardLimit = cache.Limit{Max: 2048}

func newCardCache() *cardCache { return &cardCache{seed: maphash.MakeSeed(), key: appendReplyKey} }

// newCards keeps replies of any plain-data type by cache.AppendKey.
func newCards[R any]() *cards[R] {
	return &cards[R]{seed: maphash.MakeSeed(), key: func(b []byte, r R) ([]byte, bool) { return cache.AppendKey(b, r) }}
}

// keyBuffers spares a hit allocating the encoding it looks up.
var keyBuffers = sync.Pool{New: func() any { return new(keyBuffer) }}

type keyBuffer struct{ b []byte }

func (c *cards[R]) get(r R, replace bool, render func() json.RawMessage) json.RawMessage {
	kb := keyBuffers.Get().(*keyBuffer)
	defer keyBuffers.Put(kb)
	key, ok := c.renderedFrom(kb.b[:0], r, replace)
	kb.b = key
	if !ok {
		return render()
	}
	h := maphash.Bytes(c.seed, key)
	if e, ok := c.m.Get(h); ok && bytes.Equal(e.from, key) {
		return e.b
	}
	b := render()
	// Kept at its length: rendering leaves up to twice the room, and the
	// cache holds thousands of cards for as long as they are asked for.
	b = bytes.Clone(b)
	c.m.Put(h, card{from: bytes.Clone(key), b: b}, cardLimit)
	return b
}

// renderedFrom appends the encoding a card is kept by to buf.
func (c *cards[R]) renderedFrom(buf []byte, r R, replace bool) ([]byte, bool) {
	key, ok := c.key(buf, r)
	if replace {
		return append(key, 1), ok
	}
	return append(key, 0), ok
}
