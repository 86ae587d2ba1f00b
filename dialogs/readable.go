package dialogs

import (
	"encoding/json"
	"strings"
)

// agentsDetail splits a confirmation's detail written as
// `<answer>: ["name", …]` (the agents, JSON-encoded so that any name is
// unambiguous) into the answer and the names; ok is false for any other
// detail.
func agentsDetail(detail string) (answer string, names []string, ok bool) {
	i := strings.Index(detail, ": [")
	if i < 0 || !strings.HasSuffix(detail, "]") {
		return "", nil, false
	}
	if err := json.Unmarshal([]byte(detail[i+2:]), &names); err != nil || len(names) == 0 {
		return "", nil, false
	}
	return detail[:i], names, true
}

// ReadableDetail is an entry's detail for people: the agents of a
// confirmation as a plain list (“Acme <Clearing>”, “Bureau, LLC”) instead
// of JSON with its \u003c escapes. The stored detail is never rewritten;
// this is only how it is shown (history, the CSV's detail_readable).
func ReadableDetail(detail string) string {
	answer, names, ok := agentsDetail(detail)
	if !ok {
		return detail
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "“" + n + "”"
	}
	return answer + ": " + strings.Join(quoted, ", ")
}

// detailMarkup is ReadableDetail made safe for a reply: the agents' names
// literal (markers included), the rest through Lit.
func detailMarkup(detail string) string {
	answer, names, ok := agentsDetail(detail)
	if !ok {
		return Lit(detail)
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "“" + Name(n) + "”"
	}
	return Lit(answer) + ": " + strings.Join(quoted, ", ")
}
