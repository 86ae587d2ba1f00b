package announce

import (
	"testing"
	"time"
)

func TestPacer(t *testing.T) {
	t0 := time.Date(2027, 5, 29, 13, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	type step struct {
		op      string // book | pause | unbook
		channel string
		at      int // ms
		ready   int // want readyAt(channel) after the step, ms
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first post, then a full gap", []step{{"book", "C1", 0, 1000}, {"ready", "C2", 0, 100}}},
		{"on the grid", []step{{"book", "C1", 0, 1000}, {"book", "C2", 100, 1100}, {"ready", "C3", 0, 200}}},
		{"a little late: the grid holds", []step{{"book", "C1", 0, 1000}, {"book", "C2", 120, 1120}, {"ready", "C3", 0, 200}}},
		{"late: no closer than 3/4 gap", []step{{"book", "C1", 0, 1000}, {"book", "C2", 160, 1160}, {"ready", "C3", 0, 235}}},
		{"after a pause: a fresh grid", []step{{"book", "C1", 0, 1000}, {"book", "C2", 500, 1500}, {"ready", "C3", 0, 600}}},
		{"Retry-After holds the workspace", []step{{"book", "C1", 0, 1000}, {"pause", "", 300, 300}, {"ready", "C2", 0, 300}}},
		{"a refused post leaves the channel rested", []step{{"book", "C1", 0, 1000}, {"unbook", "C1", 0, 100}}},
	}
	for _, tt := range tests {
		p := newPacer(Limits{Workspace: 100 * time.Millisecond, Channel: time.Second})
		var prev time.Time
		for i, s := range tt.steps {
			switch s.op {
			case "book":
				prev = p.book(s.channel, ms(s.at))
			case "pause":
				p.pause(ms(s.at))
			case "unbook":
				p.unbook(s.channel, prev)
			}
			if got := p.readyAt(s.channel); s.channel != "" && !got.Equal(ms(s.ready)) {
				t.Errorf("%s, step %d: readyAt(%s) = %s, want %dms", tt.name, i, s.channel, got.Sub(t0), s.ready)
			}
		}
	}
}
