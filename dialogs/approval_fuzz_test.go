package dialogs

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSendBackReason: whatever the reason typed, the form either refuses
// it (and nothing changes) or records it trimmed, within bounds, in the
// entry's detail, and the card shows it as literal text.
func FuzzSendBackReason(f *testing.F) {
	for _, s := range []string{"", " ", "wrong agent", "@{UEVIL} [x](http://evil) {cmd}", "\xff", strings.Repeat("é", maxReason+1), "a\r\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reason string) {
		s, m := newApprovalService(t)
		card := submitted(t, s)
		n := len(trail(m))
		r := clickAs(t, s, card, "Send back", dave, reasonValues(reason))
		if r.Form != nil {
			if r.FormError == "" || len(trail(m)) != n || stored(m).Pending == nil {
				t.Fatalf("a refused reason %q changed something (error %q)", reason, r.FormError)
			}
			return
		}
		e := lastEntry(m)
		if e.Action != ActSendBack || e.Detail != strings.TrimSpace(reason) || e.Detail == "" || !utf8.ValidString(e.Detail) || utf8.RuneCountInString(e.Detail) > maxReason {
			t.Fatalf("reason %q recorded as %+v", reason, e)
		}
		if !strings.Contains(body(r), "“"+Lit(e.Detail)+"”") || strings.Contains(body(r), "@{UEVIL}") {
			t.Fatalf("card shows the reason unsafely:\n%s", body(r))
		}
	})
}
