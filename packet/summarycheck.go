package packet

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/caisbot/caisbot/dialogs"
)

// summary.pdf is what an examiner reads, so it names the trail it was
// made from where verify-packet can read it back without parsing page
// text: its document properties' Subject (pdfinfo shows it), as
// trailSubject words it. verify-packet checks that it names the trail
// of audit.jsonl; what the pages print is not checked.

// trailSubject is summary.pdf's Subject: the entries it was made from
// and the latest hash ("none" for an empty trail).
func trailSubject(entries []dialogs.Entry) string {
	head := "none"
	if len(entries) > 0 {
		head = entries[len(entries)-1].Hash
	}
	return fmt.Sprintf("CAIS audit trail: %s, latest hash %s", nounsOf(len(entries), "entry", "entries"), head)
}

var subjectPattern = regexp.MustCompile(`^CAIS audit trail: (\d+) entr(?:y|ies), latest hash ([0-9a-f]{64}|none)$`)

// summaryLine is README.txt's line saying summary.pdf names its trail,
// so a packet that says it cannot lose that check by swapping the PDF.
const summaryLine = "summary.pdf names the audit trail it was made from in its document properties (Subject)."

var summaryPattern = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(summaryLine) + `$`)

// checkSummary checks that summary.pdf names the trail of entries (head
// its latest hash) and returns the summary line's words on it.
func checkSummary(files map[string][]byte, entries []dialogs.Entry) (string, error) {
	promised := summaryPattern.Match(files[ReadmeName])
	pdf, ok := files[SummaryName]
	if !ok {
		if promised {
			return "", fmt.Errorf("the packet has no %s", SummaryName)
		}
		return "no " + SummaryName, nil
	}
	var m []string
	if info, err := pdfInfo(pdf); err == nil {
		m = subjectPattern.FindStringSubmatch(info["Subject"])
	}
	switch {
	case m == nil && promised:
		return "", fmt.Errorf("%s does not name the audit trail it was made from, though %s says it does (it was replaced or re-saved)", SummaryName, ReadmeName)
	case m == nil:
		return SummaryName + " not checked: it names no audit trail (a packet made before caisbot named one in it)", nil
	}
	if want := subjectPattern.FindStringSubmatch(trailSubject(entries)); m[1] != want[1] || m[2] != want[2] {
		n, _ := strconv.Atoi(m[1])
		return "", fmt.Errorf("%s was made from another audit trail: it names %s, latest hash %s; %s holds %s, latest hash %s",
			SummaryName, nounsOf(n, "entry", "entries"), m[2], JSONLName, nounsOf(len(entries), "entry", "entries"), want[2])
	}
	return SummaryName + " names this trail (its document properties; its printed text is not checked)", nil
}
