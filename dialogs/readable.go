package dialogs

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

// agentsDetail splits a detail written as `<answer>: ["name", …]<tail>`
// (the agents, JSON-encoded so that any name is unambiguous; the tail is
// what follows, such as "; ended the wait: …" or an agents change's
// "; back to: <step>") into its parts; ok is false for any other detail.
func agentsDetail(detail string) (answer string, names []string, tail string, ok bool) {
	i := strings.Index(detail, ": [")
	if i < 0 {
		return "", nil, "", false
	}
	dec := json.NewDecoder(strings.NewReader(detail[i+2:]))
	if err := dec.Decode(&names); err != nil || len(names) == 0 {
		return "", nil, "", false
	}
	tail = detail[i+2+int(dec.InputOffset()):]
	if tail != "" && !strings.HasPrefix(tail, "; ") {
		return "", nil, "", false
	}
	return detail[:i], names, tail, true
}

// ReadableDetail is an entry's detail for people: the agents of a
// confirmation as a plain list (“Acme <Clearing>”, “Bureau, LLC”) instead
// of JSON with its \u003c escapes. The stored detail is never rewritten;
// this is only how it is shown (history, the CSV's detail_readable).
func ReadableDetail(detail string) string { return readableIn(detail, nil) }

// readableIn is ReadableDetail with instants in loc (nil: UTC, as the
// CSV's column has them).
func readableIn(detail string, loc *time.Location) string {
	detail = instantsIn(detail, loc)
	answer, names, tail, ok := agentsDetail(detail)
	if !ok {
		return detail
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "“" + n + "”"
	}
	return answer + ": " + strings.Join(quoted, ", ") + tail
}

// detailMarkup is ReadableDetail made safe for a reply: the agents' names
// literal (markers included), the rest through Lit, and instants in the
// bot's zone like the reply's own times (the CSV's column keeps UTC, so
// verify-packet can rebuild it without a zone).
func detailMarkup(detail string, loc *time.Location) string {
	detail = instantsIn(detail, loc)
	answer, names, tail, ok := agentsDetail(detail)
	if !ok {
		return Lit(detail)
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "“" + Name(n) + "”"
	}
	return Lit(answer) + ": " + strings.Join(quoted, ", ") + Lit(tail)
}

// instantPattern is an instant as entries store it (a wait's start,
// "since 2026-12-01T15:00:00Z"; an undone confirmation's time, "at …").
var instantPattern = regexp.MustCompile(`\b(since |at )(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)`)

// readableInstants words stored instants for people, in UTC as stored:
// "since Dec 1, 2026 15:00 UTC".
func readableInstants(detail string) string { return instantsIn(detail, nil) }

// instantsIn words stored instants in loc, the zone of a reply's own
// times ("Dec 1, 2026 10:00 AM EST"), or with a nil loc in UTC as stored.
func instantsIn(detail string, loc *time.Location) string {
	return instantPattern.ReplaceAllStringFunc(detail, func(m string) string {
		sub := instantPattern.FindStringSubmatch(m)
		t, err := time.Parse(time.RFC3339, sub[2])
		switch {
		case err != nil:
			return m
		case loc != nil:
			return sub[1] + t.In(loc).Format("Jan 2, 2006 3:04 PM MST")
		}
		return sub[1] + t.UTC().Format("Jan 2, 2006 15:04 UTC")
	})
}
