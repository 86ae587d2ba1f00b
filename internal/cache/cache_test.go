package cache

import "testing"

func TestShrink(t *testing.T) {
	for _, c := range []struct{ size, max, want int }{
		{100, 100, 88}, {101, 100, 88}, {8, 8, 7}, {4, 4, 3}, {1, 1, 0}, {5, 100, 5},
	} {
		m := map[int]bool{}
		for i := range c.size {
			m[i] = true
		}
		if len(m) >= c.max {
			Shrink(m, c.max)
		}
		if len(m) != c.want {
			t.Errorf("%d entries, max %d: %d left, want %d", c.size, c.max, len(m), c.want)
		}
	}
}
