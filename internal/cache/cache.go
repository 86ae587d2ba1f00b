// Package cache holds caisbot's small in-process caches: Map, a map safe
// for concurrent use that bounds itself by one of two eviction rules.
package cache

// Shrink makes room in a map holding limit entries or more by dropping an
// eighth of limit (at least one), whichever the map's random iteration
// order gives first: unlike starting afresh, the entries in use mostly
// stay.
func Shrink[K comparable, V any](m map[K]V, limit int) {
	n := len(m) - limit + max(1, limit/8)
	for k := range m {
		if n--; n < 0 {
			return
		}
		delete(m, k)
	}
}
