// Package cache holds what caisbot's small in-process caches share.
package cache

// Shrink makes room in a full map by dropping an eighth of max entries,
// whichever the map's random iteration order gives first: unlike starting
// afresh, the entries in use mostly stay.
func Shrink[K comparable, V any](m map[K]V, max int) {
	n := len(m) - max + max/8
	for k := range m {
		if n--; n < 0 {
			return
		}
		delete(m, k)
	}
}
