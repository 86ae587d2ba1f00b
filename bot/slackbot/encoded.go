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

func (h *Handler) encode(r dialogs.Reply, replace bool) json.RawMessage {
	m := h.message(r)
	m.ReplaceOriginal = replace
	b, err := json.Marshal(m)
	if err != nil {
		// Blocks are plain structs of strings; this cannot happen.
		panic("slackbot: encoding a message: " + err.Error())
	}
	return b
}

// cards holds encoded messages by the JSON encoding of what they were
// rendered from and whether they replace the clicked card: replies that
// differ in any field, one added tomorrow included, encode differently,
// and a hit compares the whole encoding (the hash only finds it), so
// nothing can be served for a reply it was not rendered from.
// (dialogs.Reply has only exported, untagged fields, which
// TestCardKeyCoversEveryReplyField keeps true.) It is generic so that a
// test can show this with a field Reply lacks.
type cards[R any] struct {
	seed maphash.Seed
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

func newCardCache() *cardCache { return newCards[dialogs.Reply]() }

func newCards[R any]() *cards[R] { return &cards[R]{seed: maphash.MakeSeed()} }

// keyBuffers spares a hit allocating the encoding it looks up.
var keyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (c *cards[R]) get(r R, replace bool, render func() json.RawMessage) json.RawMessage {
	buf := keyBuffers.Get().(*bytes.Buffer)
	defer keyBuffers.Put(buf)
	if err := renderedFrom(buf, r, replace); err != nil {
		return render() // not for a reply of plain data, which Reply is
	}
	h := maphash.Bytes(c.seed, buf.Bytes())
	if e, ok := c.m.Get(h); ok && bytes.Equal(e.from, buf.Bytes()) {
		return e.b
	}
	b := render()
	c.m.Put(h, card{from: bytes.Clone(buf.Bytes()), b: b}, cardLimit)
	return b
}

// renderedFrom writes into buf the encoding a card is kept by.
func renderedFrom[R any](buf *bytes.Buffer, r R, replace bool) error {
	buf.Reset()
	return json.NewEncoder(buf).Encode(struct {
		Reply   R
		Replace bool
	}{r, replace})
}
