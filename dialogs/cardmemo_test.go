package dialogs

import (
	"reflect"
	"testing"
	"time"
)

// The /cais-next card from the memo is the card CardFor draws afresh,
// whatever changes between requests: the progress, the time of day and
// the day, the viewer, the admins, the principals.
func TestCardMemoIsTheCardDrawnAfresh(t *testing.T) {
	s, m := newService(t)
	day := time.Date(2027, 5, 28, 0, 5, 0, 0, nyc)
	times := []time.Time{day, day.Add(23 * time.Hour), day.Add(24 * time.Hour)} // 00:05, 23:05, the next day
	roles := []struct{ admins, principals []string }{
		{[]string{admin}, nil}, {nil, nil}, {[]string{admin, "U2"}, []string{"UP"}}, {[]string{admin}, []string{"UP", "UQ"}},
	}
	check := func(state string) {
		for _, at := range times {
			for _, r := range roles {
				for _, viewer := range []string{admin, "U1", "U2"} {
					s.Now = func() time.Time { return at }
					s.Flow.Admins, s.Flow.Principals = r.admins, r.principals
					want := s.Flow.CardFor(stored(m), at, viewer)
					first, again := command(t, s, viewer, ""), command(t, s, viewer, "")
					if !reflect.DeepEqual(first, want) || !reflect.DeepEqual(again, want) {
						t.Fatalf("%s, at %v, roles %v, viewer %s: cards\n%+v\n%+v\nwant\n%+v", state, at, r, viewer, first, again, want)
					}
					// A caller appending to a card it got cannot write into the kept one.
					if cap(again.Parts) != len(again.Parts) || cap(again.Actions) != len(again.Actions) {
						t.Fatalf("a kept card's lists have room to append into")
					}
				}
			}
		}
		s.Now = func() time.Time { return times[0] }
		s.Flow.Admins, s.Flow.Principals = []string{admin}, []string{"UP"}
	}
	check("step 1")
	if r := command(t, s, admin, "deadline 1 2027-06-05"); r.Title != "Target date set" {
		t.Fatalf("deadline: %q", r.Title)
	}
	check("step 1 with a target date")
	snapshot, history := stored(m), trail(m)
	press(t, s, command(t, s, "U1", ""), "No", "U1", "")
	check("step 1's answer awaiting approval")
	// Redis restored from the snapshot, and the same version reached
	// again with another history: the head tells them apart.
	m.mu.Lock()
	m.p["F1"], m.entries["F1"] = snapshot, history
	m.mu.Unlock()
	check("restored")
	press(t, s, command(t, s, "U1", ""), "Yes", "U1", "")
	check("step 2, at the version the answer awaiting approval had")
}
