package packet

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// audit.csv's readable columns are what an examiner reads in a
// spreadsheet, so verify-packet checks those it can rebuild from what the
// hash chain vouches for: detail_readable from each entry's detail, and
// at_local from at_utc in the time zone README.txt names (packets made
// before it named one, the server's "Local" zone, or a zone this machine
// does not know leave at_local unchecked, and the summary line says so).
// step_title is not checked: caisbot writes it from the roadmap running
// when the file was made, whose text no entry need name, so nothing in
// the packet vouches for it.

// zoneLine is README.txt's line naming the time zone of local times.
const zoneLine = "Local times (audit.csv's at_local, summary.pdf) are in the time zone %s."

// formatLine is README.txt's line naming how the readable columns are
// worded (dialogs.ReadableFormat).
const formatLine = "audit.csv's readable columns are in caisbot's readable format %d."

var formatPattern = regexp.MustCompile(`(?m)^audit\.csv's readable columns are in caisbot's readable format (\d+)\.$`)

// zonePattern matches zoneLine as a whole line, so no text typed into
// the firm's profile (README.txt's first line) can pass for it.
var zonePattern = regexp.MustCompile(`(?m)^Local times \(audit\.csv's at_local, summary\.pdf\) are in the time zone (\S+)\.$`)

// readable is what the readable columns are checked against.
type readable struct {
	skip   string         // why no readable column is checked ("": they are)
	loc    *time.Location // nil: at_local not checked
	unsure string         // why at_local is not checked
}

func readableFrom(files map[string][]byte) readable {
	f := formatPattern.FindSubmatch(files[ReadmeName])
	switch {
	case f == nil:
		return readable{skip: ReadmeName + " names no readable format (a packet made before caisbot checked them)"}
	case string(f[1]) != strconv.Itoa(dialogs.ReadableFormat):
		return readable{skip: fmt.Sprintf("written in caisbot's readable format %s; this caisbot writes format %d", f[1], dialogs.ReadableFormat)}
	}
	m := zonePattern.FindSubmatch(files[ReadmeName])
	switch {
	case m == nil:
		return readable{unsure: ReadmeName + " names no time zone"}
	case string(m[1]) == "Local":
		return readable{unsure: "the packet's times are in its server's local zone, which it does not name"}
	}
	loc, err := time.LoadLocation(string(m[1]))
	if err != nil {
		return readable{unsure: fmt.Sprintf("this machine does not know the time zone %s", m[1])}
	}
	return readable{loc: loc}
}

// check compares one row's readable columns with entry e's: the name of
// the first that differs, or "".
func (r readable) check(row []string, col map[string]int, e dialogs.Entry) string {
	if r.skip != "" {
		return ""
	}
	if got := row[col["detail_readable"]]; got != dialogs.ExportReadable(e, time.UTC, "")[2] {
		return "detail_readable"
	}
	if r.loc != nil && row[col["at_local"]] != dialogs.ExportReadable(e, r.loc, "")[0] {
		return "at_local"
	}
	return ""
}

// words is the summary line's note on the readable columns.
func (r readable) words() string {
	if r.skip != "" {
		return "readable columns not checked: " + r.skip
	}
	at := "at_local in " + r.loc.String()
	if r.loc == nil {
		at = "at_local not checked: " + r.unsure
	}
	return "readable columns match (detail_readable; " + at + "; step_title not checked: it comes from the roadmap running when the file was made)"
}
