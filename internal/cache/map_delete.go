package cache

// DeleteFunc removes every entry for which drop returns true; drop runs
// with the map locked.
func (c *Map[K, V]) DeleteFunc(drop func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.m {
		if drop(k, v) {
			delete(c.m, k)
		}
	}
}
