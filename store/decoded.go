package store

import (
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/cache"
)

// decoded remembers, per firm, the progress JSON last read or written and
// what it decodes to. Most loads find the firm unchanged since its last
// request, and decoding was a tenth of a /cais-next. The cache is keyed by
// the stored bytes themselves, so it can never answer with anything but
// what Redis holds: a different body, from any writer, is decoded afresh.
type decoded struct {
	max int
	m   cache.Map[string, decodedEntry]
}

type decodedEntry struct {
	body string
	p    dialogs.Progress
}

// maxDecoded bounds the cache (about 2.5 KB an entry, so 5 MB).
const maxDecoded = 2048

// get returns a copy of the progress that body decodes to, if known.
func (c *decoded) get(firm, body string) (dialogs.Progress, bool) {
	e, ok := c.m.Get(firm)
	if !ok || e.body != body {
		return dialogs.Progress{}, false
	}
	// Callers own what Load returns; the cached value stays untouched.
	return e.p.Clone(), true
}

// put remembers body's decoding; p must not be used by the caller after.
func (c *decoded) put(firm, body string, p dialogs.Progress) {
	c.m.Put(firm, decodedEntry{body: body, p: p}, cache.Limit{Max: c.max})
}

// latest returns a copy of the progress last put for firm, whatever body
// Redis holds now.
func (c *decoded) latest(firm string) (dialogs.Progress, bool) {
	e, ok := c.m.Get(firm)
	if !ok {
		return dialogs.Progress{}, false
	}
	return e.p.Clone(), true
}
