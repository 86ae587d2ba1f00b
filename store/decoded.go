package store

import (
	"sync"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/cache"
)

// decoded remembers, per firm, the progress JSON last read or written and
// what it decodes to. Most loads find the firm unchanged since its last
// request, and decoding was a tenth of a /cais-next. The cache is keyed by
// the stored bytes themselves, so it can never answer with anything but
// what Redis holds: a different body, from any writer, is decoded afresh.
type decoded struct {
	mu  sync.Mutex
	max int
	m   map[string]decodedEntry
}

type decodedEntry struct {
	body string
	p    dialogs.Progress
}

// maxDecoded bounds the cache (about 2.5 KB an entry, so 5 MB).
const maxDecoded = 2048

// get returns a copy of the progress that body decodes to, if known.
func (c *decoded) get(firm, body string) (dialogs.Progress, bool) {
	c.mu.Lock()
	e, ok := c.m[firm]
	c.mu.Unlock()
	if !ok || e.body != body {
		return dialogs.Progress{}, false
	}
	// Callers own what Load returns; the cached value stays untouched.
	return e.p.Clone(), true
}

// put remembers body's decoding; p must not be used by the caller after.
func (c *decoded) put(firm, body string, p dialogs.Progress) {
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]decodedEntry, c.max)
	}
	if len(c.m) >= c.max {
		cache.Shrink(c.m, c.max)
	}
	c.m[firm] = decodedEntry{body: body, p: p}
	c.mu.Unlock()
}
