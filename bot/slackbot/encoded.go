package slackbot

import (
	"encoding/binary"
	"encoding/json"
	"hash/maphash"
	"slices"
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

// cardCache holds encoded messages by a hash of their reply, checking the
// reply itself on a hit so a hash collision cannot show the wrong card.
type cardCache struct {
	seed maphash.Seed
	mu   sync.Mutex
	max  int
	m    map[uint64]cardEntry
}

type cardEntry struct {
	r       dialogs.Reply
	replace bool
	b       json.RawMessage
}

// maxCards bounds the cache (about 4 KB a card, so 8 MB): one current
// card for each of as many firms, a reply per firm being what repeats.
const maxCards = 2048

func newCardCache() *cardCache { return &cardCache{seed: maphash.MakeSeed(), max: maxCards} }

func (c *cardCache) get(r dialogs.Reply, replace bool, render func() json.RawMessage) json.RawMessage {
	k := c.hash(r, replace)
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if ok && e.replace == replace && sameReply(e.r, r) {
		return e.b
	}
	b := render()
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[uint64]cardEntry, c.max)
	}
	if len(c.m) >= c.max {
		cache.Shrink(c.m, c.max)
	}
	c.m[k] = cardEntry{r: r, replace: replace, b: b}
	c.mu.Unlock()
	return b
}

func (c *cardCache) hash(r dialogs.Reply, replace bool) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	field := func(s string) { writeField(&h, s) }
	field(r.Title)
	field(r.Public)
	field(r.FormToken)
	field(r.FormError)
	h.WriteByte(byte(len(r.Parts)))
	for _, p := range r.Parts {
		h.WriteByte(byte(p.Kind))
		field(p.Text)
	}
	h.WriteByte(byte(len(r.Actions)))
	for _, a := range r.Actions {
		field(a.Label)
		field(string(a.Style))
		field(a.Value)
		if c := a.Confirm; c != nil {
			field(c.Title + "\x00" + c.Text + "\x00" + c.OK + "\x00" + c.Cancel)
		}
	}
	if r.Replace {
		h.WriteByte(1)
	}
	if replace {
		h.WriteByte(2)
	}
	return h.Sum64()
}

// writeField writes s's length before s, so field boundaries cannot shift
// between replies.
func writeField(h *maphash.Hash, s string) {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
	_, _ = h.Write(n[:])
	_, _ = h.WriteString(s)
}

// sameReply compares everything a message is rendered from.
func sameReply(a, b dialogs.Reply) bool {
	return a.Title == b.Title && a.Public == b.Public && a.Replace == b.Replace &&
		a.FormToken == b.FormToken && a.FormError == b.FormError &&
		a.Form == nil && b.Form == nil && a.File == nil && b.File == nil &&
		slices.Equal(a.Parts, b.Parts) &&
		slices.EqualFunc(a.Actions, b.Actions, func(x, y dialogs.Action) bool {
			return x.Label == y.Label && x.Style == y.Style && x.Value == y.Value &&
				(x.Confirm == y.Confirm || x.Confirm != nil && y.Confirm != nil && *x.Confirm == *y.Confirm)
		})
}
