package cache

import "sync"

// Limit bounds a Map. A write (Put, Swap, GetOrPut) to a map that holds
// Max entries or more first makes room, even when its key is there
// already: it drops an eighth of Max (see Shrink) or, with StartOver,
// every entry. Reads never evict.
type Limit struct {
	Max       int
	StartOver bool
}

// Map is a map safe for concurrent use and bounded by the Limit each
// write is given; its owner gives the same one every time, which lets the
// zero Map be empty and ready inside any struct.
type Map[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

// Get returns the value stored under k, if any.
func (c *Map[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

// Put stores v under k, making room first when the map is full.
func (c *Map[K, V]) Put(k K, v V, l Limit) {
	c.Swap(k, v, l)
}

// Swap stores v under k, making room first when the map is full, and
// returns the value it replaced (the zero value and false if none was
// left).
func (c *Map[K, V]) Swap(k K, v V, l Limit) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.makeRoom(l)
	old, ok := c.m[k]
	c.m[k] = v
	return old, ok
}

// GetOrPut returns the value stored under k, making room first when the
// map is full; if none is left, it stores and returns newValue().
// newValue runs with the map locked.
func (c *Map[K, V]) GetOrPut(k K, l Limit, newValue func() V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.makeRoom(l)
	v, ok := c.m[k]
	if !ok {
		v = newValue()
		c.m[k] = v
	}
	return v
}

// Delete removes k.
func (c *Map[K, V]) Delete(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}

// Take removes k and returns the value it held, if any.
func (c *Map[K, V]) Take(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	delete(c.m, k)
	return v, ok
}

// Len is the number of entries.
func (c *Map[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func (c *Map[K, V]) makeRoom(l Limit) {
	switch {
	case c.m == nil:
		c.m = make(map[K]V)
	case len(c.m) < l.Max:
	case l.StartOver:
		c.m = make(map[K]V) // the old map's memory goes with it
	default:
		Shrink(c.m, l.Max)
	}
}
