package packet

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// audit.csv's readable columns (at_local, step_title, detail_readable)
// are what an examiner reads in a spreadsheet, so verify-packet checks
// them as well as the stored ones: each must be what caisbot writes for
// its entry. at_local needs the time zone README.txt names (packets made
// before it named one, or a zone this machine does not know, leave it
// unchecked, and the summary line says so).

// zoneLine is README.txt's line naming the time zone of local times.
const zoneLine = "Local times (audit.csv's at_local, summary.pdf) are in the time zone %s."

var zonePattern = regexp.MustCompile(`are in the time zone (\S+)\.`)

// readable is what the readable columns are checked against.
type readable struct {
	loc      *time.Location      // nil: at_local not checked
	unsure   string              // why at_local is not checked
	headings map[string][]string // step id → its headings in the packet's roadmaps
}

func readableFrom(files map[string][]byte) readable {
	r := readable{headings: map[string][]string{}}
	for name, b := range files {
		if !strings.HasPrefix(name, "roadmap-") || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		if rm, err := dialogs.Parse(b); err == nil {
			for i := range rm.Steps {
				s := &rm.Steps[i]
				r.headings[s.ID] = append(r.headings[s.ID], s.Heading())
			}
		}
	}
	m := zonePattern.FindSubmatch(files[ReadmeName])
	if m == nil {
		r.unsure = ReadmeName + " names no time zone"
		return r
	}
	loc, err := time.LoadLocation(string(m[1]))
	if err != nil {
		r.unsure = fmt.Sprintf("this machine does not know the time zone %s", m[1])
		return r
	}
	r.loc = loc
	return r
}

// check compares one row's readable columns with entry e's.
func (r readable) check(row []string, col map[string]int, e dialogs.Entry) string {
	if got := row[col["detail_readable"]]; got != dialogs.ExportReadable(e, time.UTC, "")[2] {
		return "detail_readable"
	}
	if !r.titleFits(row[col["step_title"]], e) {
		return "step_title"
	}
	if r.loc != nil && row[col["at_local"]] != dialogs.ExportReadable(e, r.loc, "")[0] {
		return "at_local"
	}
	return ""
}

// titleFits: the step's heading in one of the packet's roadmaps, or empty
// for an entry about no step (or a step none of them has).
func (r readable) titleFits(got string, e dialogs.Entry) bool {
	hs := r.headings[e.Step]
	if len(hs) == 0 {
		return got == ""
	}
	for _, h := range hs {
		if got == dialogs.ExportReadable(e, time.UTC, h)[1] {
			return true
		}
	}
	return false
}

// words is the summary line's note on the readable columns.
func (r readable) words() string {
	if r.loc == nil {
		return "readable columns match (at_local not checked: " + r.unsure + ")"
	}
	return "readable columns match (times in " + r.loc.String() + ")"
}
