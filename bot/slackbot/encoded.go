package slackbot

import (
	"encoding/json"

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
// differ in any field, one added tomorrow included, have different keys,
// and a hit compares the whole encoding, so nothing can be served for a
// reply it was not rendered from. (dialogs.Reply has only exported,
// untagged fields, which TestCardKeyCoversEveryReplyField keeps true.)
// It is generic so that a test can show this with a field Reply lacks.
type cards[R any] struct {
	m cache.Map[string, json.RawMessage]
}

type cardCache = cards[dialogs.Reply]

// cardLimit bounds the cache (up to about 4 KB a card and 2 KB its key,
// so some 12 MB): one current card for each of as many firms, a reply per
// firm being what repeats.
var cardLimit = cache.Limit{Max: 2048}

func newCardCache() *cardCache { return &cardCache{} }

func (c *cards[R]) get(r R, replace bool, render func() json.RawMessage) json.RawMessage {
	k, err := json.Marshal(struct {
		Reply   R
		Replace bool
	}{r, replace})
	if err != nil {
		return render() // not for a reply of plain data, which Reply is
	}
	if b, ok := c.m.Get(string(k)); ok {
		return b
	}
	b := render()
	c.m.Put(string(k), b, cardLimit)
	return b
}
