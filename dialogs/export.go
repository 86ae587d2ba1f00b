package dialogs

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"time"
)

// exportHeader is the CSV's columns. The stored ones (everything but
// at_local, step_title and detail_readable) are the entry's fields byte
// for byte, so the hash can be recomputed from them (README, "Audit
// trail"); roadmap and name are last so that older readers of the first
// fourteen columns still work.
var exportHeader = []string{"seq", "at_utc", "at_local", "user", "action", "step", "step_title", "choice", "detail", "detail_readable", "card_version", "version", "prev_hash", "hash", "roadmap", "name"}

// Export is the full audit trail as a CSV file, hash chain included, so an
// examiner can check it without the bot.
func (f *Flow) Export(firm string, entries []Entry, now time.Time) Reply {
	return f.ExportProfile(firm, nil, entries, now)
}

// ExportProfile is Export for a firm with profile pr (nil: none yet),
// which then names the file and its title.
func (f *Flow) ExportProfile(firm string, pr *Profile, entries []Entry, now time.Time) Reply {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(exportHeader)
	for _, e := range entries {
		title := ""
		if s, ok := f.Roadmap.Step(e.Step); ok {
			title = s.Heading()
		}
		readable := ExportReadable(e, f.Loc, title)
		_ = w.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), readable[0],
			e.User, e.Action, e.Step, readable[1], e.Choice, e.Detail, readable[2],
			strconv.FormatInt(e.Card, 10), strconv.FormatInt(e.Version, 10), e.Prev, e.Hash, e.Roadmap, e.Name})
	}
	w.Flush()
	name, title := "cais-audit-"+now.In(f.Loc).Format("2006-01-02")+".csv", "CAIS audit trail — "+Lit(firm)
	if pr != nil {
		name = "cais-audit-" + ProfileSlug(*pr) + "-" + now.In(f.Loc).Format("2006-01-02") + ".csv"
		title = "CAIS audit trail — " + Lit(pr.Name) + " (CRD " + Lit(pr.CRD) + ")"
	}
	r := Notice("Audit trail export", "The full audit trail ("+nouns(len(entries), "entry", "entries")+", with its SHA-256 hash chain) is attached as `"+name+"`.")
	r.File = &File{Name: name, Title: title, Content: buf.Bytes()}
	return r
}

// csvSafe stops spreadsheet formula injection from user-typed text in
// the readable columns; stored columns are never changed.
func csvSafe(fields ...string) []string {
	for i, v := range fields {
		if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@') {
			fields[i] = "'" + v
		}
	}
	return fields
}

// ExportColumns are the export CSV's column names, in order (a copy), so
// a reader of the file (caisbot verify-packet) finds its columns by name.
func ExportColumns() []string { return append([]string(nil), exportHeader...) }

// ReadableFormat names how ExportReadable words an entry. A packet records
// it, and caisbot verify-packet checks readable columns only when the
// packet's format is its own, so that rewording (which changes this
// number; TestReadableFormatPinned fails until it does) never makes a
// newer caisbot accuse an older, honest packet of an edit.
const ReadableFormat = 2

// ExportReadable are an entry's readable columns as Export writes them
// (at_local in loc, step_title from heading, detail_readable), so that a
// reader of the file (caisbot verify-packet) can check them too.
func ExportReadable(e Entry, loc *time.Location, heading string) [3]string {
	f := Flow{Loc: loc}
	c := csvSafe(f.Stamp(e.At), heading, entryReadable(e))
	return [3]string{c[0], c[1], c[2]}
}
