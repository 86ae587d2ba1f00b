package dialogs

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzWaitForm: whatever a platform submits, the wait form either names
// the field at fault or yields a wait whose values are bounded, trimmed
// text and a real date written YYYY-MM-DD.
func FuzzWaitForm(f *testing.F) {
	for _, s := range [][3]string{
		{"Example Clearing LLC", "T-1", "2027-01-15"}, {"", "", ""}, {" a ", "", "2027-02-30"},
		{"x", "y", "2027-1-5"}, {"x", "", "+2027-01-15"}, {"\xff", "", "2027-01-15"},
		{strings.Repeat("é", 101), "", "2027-01-15"}, {"x", "", "2027-01-15T00:00:00Z"}, {"x", "", " 2027-01-15"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	form := waitForm(Wait{}, t0)
	f.Fuzz(func(t *testing.T, who, ref, day string) {
		v, problem := readFields(form, map[string]string{WaitWho: who, WaitRef: ref, WaitFollowUp: day})
		if problem != nil {
			if _, ok := form.Field(problem.Field); !ok || problem.Message == "" {
				t.Fatalf("problem %+v names no field of the form", problem)
			}
			return
		}
		for id, max := range map[string]int{WaitWho: maxWaitWho, WaitRef: maxWaitRef} {
			s := v[id]
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max || s != strings.Join(strings.Fields(s), " ") {
				t.Errorf("%s = %q passed", id, s)
			}
		}
		if v[WaitWho] == "" {
			t.Error("a wait on nobody passed")
		}
		d, err := ParseDay(v[WaitFollowUp])
		if err != nil || d.Format(time.DateOnly) != v[WaitFollowUp] {
			t.Errorf("follow-up %q passed (%v)", v[WaitFollowUp], err)
		}
	})
}
