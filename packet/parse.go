package packet

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// ParseJSONL reads audit.jsonl: one JSON object per line, each an audit
// entry with no field caisbot does not store.
func ParseJSONL(b []byte) ([]dialogs.Entry, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if !bytes.HasSuffix(b, []byte("\n")) {
		return nil, fmt.Errorf("%s does not end with a line break (it was cut short)", JSONLName)
	}
	lines := bytes.Split(b[:len(b)-1], []byte("\n"))
	entries := make([]dialogs.Entry, len(lines))
	for i, line := range lines {
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&entries[i]); err != nil {
			return nil, fmt.Errorf("%s line %d is not an audit entry: %v", JSONLName, i+1, err)
		}
		if t := bytes.TrimSpace(line); dec.More() || len(t) == 0 || t[0] != '{' {
			return nil, fmt.Errorf("%s line %d is not one JSON object", JSONLName, i+1)
		}
	}
	return entries, nil
}

// checkCSV checks that audit.csv holds the entries of audit.jsonl: the
// export's columns, one row per entry, every stored column equal, and the
// readable ones it can rebuild as caisbot writes them (readable.go).
func checkCSV(b []byte, entries []dialogs.Entry, rd readable) error {
	r := csv.NewReader(bytes.NewReader(b))
	rows, err := r.ReadAll()
	if err != nil {
		return fmt.Errorf("%s cannot be read as CSV: %v", CSVName, err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], dialogs.ExportColumns()) {
		return fmt.Errorf("%s does not start with the export's columns", CSVName)
	}
	if len(rows)-1 != len(entries) {
		return fmt.Errorf("%s has %d entries, %s has %d", CSVName, len(rows)-1, JSONLName, len(entries))
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	for i, e := range entries {
		want := map[string]string{
			"seq": strconv.FormatInt(e.Seq, 10), "at_utc": e.At.UTC().Format(time.RFC3339Nano), "user": e.User,
			"action": e.Action, "step": e.Step, "choice": e.Choice, "detail": e.Detail,
			"card_version": strconv.FormatInt(e.Card, 10), "version": strconv.FormatInt(e.Version, 10),
			"prev_hash": e.Prev, "hash": e.Hash, "roadmap": e.Roadmap, "name": e.Name,
		}
		for _, c := range sortedNames(want) {
			if rows[i+1][col[c]] != want[c] {
				return fmt.Errorf("%s row %d (entry %d): its %s differs from %s", CSVName, i+1, e.Seq, c, JSONLName)
			}
		}
		if c := rd.check(rows[i+1], col, e); c != "" {
			return fmt.Errorf("%s row %d (entry %d): its %s is not what this caisbot writes for that entry (it was edited, or written by another caisbot version)", CSVName, i+1, e.Seq, c)
		}
	}
	return nil
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
