package store

import (
	"fmt"

	"github.com/alicebob/miniredis/v2"
)

// Embedded starts an in-memory Redis on a free loopback port for the
// local default mode (no REDIS_URL). Nothing it holds survives stop or
// the process; the caller should say so loudly.
func Embedded() (url string, stop func(), err error) {
	m := miniredis.NewMiniRedis()
	if err := m.Start(); err != nil {
		return "", nil, fmt.Errorf("store: start embedded Redis: %w", err)
	}
	return "redis://" + m.Addr(), m.Close, nil
}
