package cache

import (
	"fmt"
	"sync"
	"testing"
)

func TestMapBounds(t *testing.T) {
	for _, c := range []struct {
		name  string
		limit Limit
		puts  int
		want  int // entries left
	}{
		{"below the limit", Limit{Max: 100}, 99, 99},
		{"at the limit", Limit{Max: 100}, 100, 100},
		{"one past: an eighth goes", Limit{Max: 100}, 101, 89},
		{"twice over", Limit{Max: 100}, 200, 92}, // 89 after each shrink, 12 puts a round
		{"tiny: at least one goes", Limit{Max: 4}, 5, 4},
		{"max 1", Limit{Max: 1}, 3, 1},
		{"start over below", Limit{Max: 100, StartOver: true}, 100, 100},
		{"start over one past", Limit{Max: 100, StartOver: true}, 101, 1},
		{"start over twice over", Limit{Max: 100, StartOver: true}, 250, 50},
	} {
		t.Run(c.name, func(t *testing.T) {
			var m Map[int, int]
			for i := range c.puts {
				m.Put(i, i, c.limit)
			}
			if got := m.Len(); got != c.want {
				t.Errorf("%d puts: %d entries, want %d", c.puts, got, c.want)
			}
			if v, ok := m.Get(c.puts - 1); !ok || v != c.puts-1 {
				t.Errorf("the latest entry must stay: got %d, %v", v, ok)
			}
		})
	}
}

// A write to a full map makes room even when its key is already there,
// as the hand-rolled caches this replaces did.
func TestMapFullWriteOfAKnownKeyEvicts(t *testing.T) {
	for _, c := range []struct {
		limit Limit
		want  int
	}{{Limit{Max: 16}, 14}, {Limit{Max: 16, StartOver: true}, 1}} {
		var m Map[int, string]
		for i := range 16 {
			m.Put(i, "v", c.limit)
		}
		m.Put(3, "w", c.limit)
		// Shrink drops an eighth in map order; when key 3 is among the
		// dropped, the rewrite puts it back: one entry more.
		if got := m.Len(); got != c.want && got != c.want+1 {
			t.Errorf("%+v: %d entries after rewriting a key of a full map, want %d", c.limit, got, c.want)
		}
		if v, _ := m.Get(3); v != "w" {
			t.Errorf("%+v: the rewritten key holds %q", c.limit, v)
		}
	}
}

func TestMapOperations(t *testing.T) {
	l := Limit{Max: 8}
	var m Map[string, int]
	if _, ok := m.Get("a"); ok || m.Len() != 0 {
		t.Fatal("the zero Map must be empty")
	}
	if old, ok := m.Swap("a", 1, l); ok || old != 0 {
		t.Fatalf("Swap of a new key returned %d, %v", old, ok)
	}
	if old, ok := m.Swap("a", 2, l); !ok || old != 1 {
		t.Fatalf("Swap returned %d, %v; want 1, true", old, ok)
	}
	made := 0
	newValue := func() int { made++; return 7 }
	if v := m.GetOrPut("a", l, newValue); v != 2 || made != 0 {
		t.Fatalf("GetOrPut of a known key gave %d and made %d", v, made)
	}
	if v := m.GetOrPut("b", l, newValue); v != 7 || made != 1 {
		t.Fatalf("GetOrPut of a new key gave %d and made %d", v, made)
	}
	if v, ok := m.Take("b"); !ok || v != 7 {
		t.Fatalf("Take gave %d, %v", v, ok)
	}
	if _, ok := m.Take("b"); ok {
		t.Fatal("Take must remove the key")
	}
	m.Delete("a")
	m.Delete("never there")
	if m.Len() != 0 {
		t.Fatalf("%d entries left", m.Len())
	}
}

// Run with -race: every operation at once stays consistent and bounded.
func TestMapConcurrent(t *testing.T) {
	for _, l := range []Limit{{Max: 64}, {Max: 64, StartOver: true}} {
		var m Map[string, int]
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 1000 {
					k := fmt.Sprint(i % 100)
					switch (g + i) % 6 {
					case 0:
						m.Put(k, i, l)
					case 1:
						m.Swap(k, i, l)
					case 2:
						m.GetOrPut(k, l, func() int { return i })
					case 3:
						m.Get(k)
					case 4:
						m.Take(k)
					default:
						m.Delete(k)
					}
					if n := m.Len(); n > l.Max {
						t.Errorf("%+v: %d entries", l, n)
						return
					}
				}
			})
		}
		wg.Wait()
	}
}
