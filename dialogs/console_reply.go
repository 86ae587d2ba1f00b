package dialogs

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Console limits. A reply lists at most MaxConsoleRows firms (Slack's
// 50 blocks and 3,000 characters a section, Teams' card size), in parts
// of rowsPerPart; the CSV always has them all.
const (
	MaxConsoleRows = 40
	rowsPerPart    = 8
)

// ConsoleReply lists up to limit of rows (already sorted) with a summary.
func (f *Flow) ConsoleReply(rows []ConsoleRow, limit int, now time.Time) Reply {
	r := Reply{Title: "Firms of this workspace — most urgent first"}
	if len(rows) == 0 {
		r.text("No firm has started yet. Each channel where someone types `{cmd}` becomes a firm of its own.")
		return r
	}
	r.text(f.consoleSummary(rows))
	shown := rows[:min(limit, len(rows))]
	for len(shown) > 0 {
		n := min(rowsPerPart, len(shown))
		lines := make([]string, n)
		for i, row := range shown[:n] {
			lines[i] = f.rowLine(row)
		}
		r.text(strings.Join(lines, "\n"))
		shown = shown[n:]
	}
	r.context("Order: overdue first (longest overdue first), then waiting on someone (longest first), then the nearest date ahead, then the rest; ties go to the firm whose latest change is oldest. As of " + f.Stamp(now) + ".")
	return r
}

// consoleCSV is the Choice of the console's CSV button.
const consoleCSV = "csv"

// ConsolePage is page (from 1) of the console: MaxConsoleRows firms of
// rows (sorted), with buttons to the pages either side and for the whole
// list as a CSV file. A page past the end shows the last one.
func (f *Flow) ConsolePage(rows []ConsoleRow, page int, now time.Time) Reply {
	pages := max(1, (len(rows)+MaxConsoleRows-1)/MaxConsoleRows)
	page = min(max(page, 1), pages)
	from := (page - 1) * MaxConsoleRows
	r := f.ConsoleReply(rows[from:], MaxConsoleRows, now)
	if len(rows) == 0 {
		return r
	}
	r.Parts[0].Text = f.consoleSummary(rows) // the whole list's counts on every page
	if pages > 1 {
		r.context(fmt.Sprintf("Page %d of %d: firms %d–%d of %d.", page, pages, from+1, min(from+MaxConsoleRows, len(rows)), len(rows)))
	}
	button := func(label, choice string, style Style) {
		r.Actions = append(r.Actions, Action{Label: label, Style: style, Value: Token{Kind: KindConsole, Choice: choice}.String()})
	}
	if page < pages {
		button(fmt.Sprintf("Next %d →", min(MaxConsoleRows, len(rows)-from-MaxConsoleRows)), strconv.Itoa(page+1), Primary)
	}
	if page > 1 {
		button("← Previous", strconv.Itoa(page-1), Plain)
	}
	button("Download CSV", consoleCSV, Plain)
	r.context("**Download CSV** sends you the whole list by direct message; nobody else sees it.")
	return r
}

// consoleSummary counts the firms, the overdue, the waiting and the done,
// then, for a roadmap date with words for after it (the compliance date),
// how many firms have not finished the walk since it passed. It draws no
// conclusion for a firm (one at Step 1 may have no obligation; one may be
// reporting already): each firm's card says what the date means for it.
func (f *Flow) consoleSummary(rows []ConsoleRow) string {
	out := countSummary(rows)
	for _, d := range f.Roadmap.Dates {
		n := 0
		for _, row := range rows {
			if !row.Broken && !row.Done && slices.Contains(row.Passed, d.ID) {
				n++
			}
		}
		if n > 0 {
			day, _ := time.ParseInLocation(time.DateOnly, d.Date, f.Loc)
			out += fmt.Sprintf("\n%s not finished the walk here, and the roadmap's date “%s”, %s, has passed: each firm's card says what that means for it.", nouns(n, "firm has", "firms have"), d.Label, longDate(day))
		}
	}
	return out
}

func countSummary(rows []ConsoleRow) string {
	var overdue, waiting, done, broken int
	for _, row := range rows {
		switch {
		case row.Broken:
			broken++
		case row.Done:
			done++
		case row.Overdue():
			overdue++
		}
		if row.Waiting != "" && !row.Done {
			waiting++
		}
	}
	out := fmt.Sprintf("**%s** · %d overdue · %d waiting on someone · %d finished", nouns(len(rows), "firm", "firms"), overdue, waiting, done)
	if broken > 0 {
		out += fmt.Sprintf(" · ⚠️ %d failed the integrity check", broken)
	}
	return out
}

// rowLine is one firm on one line.
func (f *Flow) rowLine(row ConsoleRow) string {
	if row.Broken {
		return "⚠️ **" + Name(row.Name) + "** — its record failed its integrity check; type `{cmd} verify` in its channel"
	}
	parts := []string{"**" + Name(row.Name) + "** — " + row.Step}
	if row.Waiting != "" {
		parts = append(parts, "waiting on "+Lit(row.Waiting)+" since "+f.shortDay(row.WaitSince))
	}
	if !row.NextDay.IsZero() {
		parts = append(parts, Lit(row.Next)+": "+longDate(row.NextDay)+" ("+dueWords(row.DaysLeft)+")")
	}
	last := "no activity yet"
	if !row.Last.IsZero() {
		last = "last activity " + f.shortDay(row.Last)
	}
	mark := "•"
	if row.Overdue() {
		mark = "⚠️"
	}
	return mark + " " + strings.Join(append(parts, last), " · ")
}

// dueWords is "5 days left", "due today" or "3 days overdue".
func dueWords(n int) string {
	switch {
	case n < -1:
		return fmt.Sprintf("%d days overdue", -n)
	case n == -1:
		return "1 day overdue"
	case n == 0:
		return "due today"
	}
	return daysLeft(n)
}

func (f *Flow) shortDay(t time.Time) string { return t.In(f.Loc).Format("Jan 2, 2006") }

// consoleHeader is the console CSV's columns.
var consoleHeader = []string{"firm", "name", "current_step", "finished", "waiting_on", "waiting_since", "next_date", "next_date_label", "days_left", "last_activity_utc"}

// ConsoleCSV is every row as a CSV file, for the admin who asked.
func (f *Flow) ConsoleCSV(rows []ConsoleRow, now time.Time) *File {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(consoleHeader)
	for _, row := range rows {
		var since, next, left, last string
		if !row.WaitSince.IsZero() {
			since = row.WaitSince.UTC().Format(time.RFC3339)
		}
		if !row.NextDay.IsZero() {
			next, left = row.NextDay.Format(time.DateOnly), strconv.Itoa(row.DaysLeft)
		}
		if !row.Last.IsZero() {
			last = row.Last.UTC().Format(time.RFC3339)
		}
		typed, step := csvSafe(row.Name, row.Waiting), row.Step
		if row.Broken {
			step = "integrity check failed"
		}
		_ = w.Write([]string{row.Firm.String(), typed[0], step, strconv.FormatBool(row.Done), typed[1], since, next, row.Next, left, last})
	}
	w.Flush()
	day := now.In(f.Loc).Format(time.DateOnly)
	return &File{Name: "cais-firms-" + day + ".csv", Title: "CAIS firms — " + day, Content: buf.Bytes()}
}
