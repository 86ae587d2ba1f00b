package dialogs

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sealedChain builds n chained entries as the Service would.
func sealedChain(n int) ([]Entry, string) {
	var es []Entry
	head := ""
	for i := range n {
		e := Entry{At: t0.Add(time.Duration(i) * time.Minute), User: "U1", Action: ActConfirm, Step: "obligation",
			Choice: "yes", Detail: fmt.Sprintf("detail %d", i+1), Card: int64(i), Version: int64(i + 1)}
		e.Seal(int64(i), head)
		head = e.Hash
		es = append(es, e)
	}
	return es, head
}

func TestSeal(t *testing.T) {
	es, head := sealedChain(3)
	for i, e := range es {
		if e.Seq != int64(i+1) || len(e.Hash) != 64 || (i > 0 && e.Prev != es[i-1].Hash) || (i == 0 && e.Prev != "") {
			t.Errorf("entry %d: seq %d prev %q hash %q", i, e.Seq, e.Prev, e.Hash)
		}
	}
	if head != es[2].Hash {
		t.Error("head is not the last hash")
	}
	// The hash does not depend on the zone the time was read in.
	e := es[1]
	e.At = e.At.In(nyc)
	if e.digest() != es[1].Hash {
		t.Error("digest depends on the time's location")
	}
}

func TestVerifyChain(t *testing.T) {
	type mutate func(es []Entry, head string) ([]Entry, string)
	tests := []struct {
		name   string
		mut    mutate
		seq    int64 // 0: intact
		reason string
	}{
		{"intact", func(es []Entry, h string) ([]Entry, string) { return es, h }, 0, ""},
		{"empty", func([]Entry, string) ([]Entry, string) { return nil, "" }, 0, ""},
		{"everything deleted", func([]Entry, string) ([]Entry, string) { return nil, "abc" }, 1, "ends early"},
		{"entries but no head", func(es []Entry, _ string) ([]Entry, string) { return es, "" }, 1, "recorded end"},
		{"edited detail", func(es []Entry, h string) ([]Entry, string) { es[2].Detail = "No"; return es, h }, 3, "edited"},
		{"edited user", func(es []Entry, h string) ([]Entry, string) { es[3].User = "U2"; return es, h }, 4, "edited"},
		{"edited time", func(es []Entry, h string) ([]Entry, string) { es[0].At = es[0].At.Add(time.Hour); return es, h }, 1, "edited"},
		{"edited and resealed", func(es []Entry, h string) ([]Entry, string) {
			es[2].Detail = "No"
			es[2].Seal(2, es[1].Hash)
			return es, h
		}, 4, "does not link"},
		{"deleted middle entry", func(es []Entry, h string) ([]Entry, string) { return slices.Delete(es, 2, 3), h }, 3, "missing"},
		{"deleted first entry", func(es []Entry, h string) ([]Entry, string) { return es[1:], h }, 1, "missing"},
		{"deleted last entry", func(es []Entry, h string) ([]Entry, string) { return es[:4], h }, 5, "ends early"},
		{"deleted last entry, head moved back", func(es []Entry, h string) ([]Entry, string) { return es[:4], es[3].Hash }, 0, ""},
		{"deleted and renumbered", func(es []Entry, h string) ([]Entry, string) {
			es = slices.Delete(es, 1, 2)
			for i := range es {
				es[i].Seq = int64(i + 1)
			}
			return es, h
		}, 2, "does not link"},
		{"reordered pair", func(es []Entry, h string) ([]Entry, string) { es[1], es[2] = es[2], es[1]; return es, h }, 2, "out of order"},
		{"forged entry inserted", func(es []Entry, h string) ([]Entry, string) {
			x := Entry{Seq: 3, Prev: es[1].Hash, Hash: strings.Repeat("0", 64), User: "U9", Action: ActConfirm}
			return slices.Insert(es, 2, x), h
		}, 3, "edited"},
		{"sealed entry inserted", func(es []Entry, h string) ([]Entry, string) {
			x := Entry{User: "U9", Action: ActConfirm, At: t0}
			x.Seal(2, es[1].Hash)
			return slices.Insert(es, 2, x), h
		}, 4, "found entry 3"},
		{"duplicated entry", func(es []Entry, h string) ([]Entry, string) { return slices.Insert(es, 3, es[2]), h }, 4, "out of order"},
		{"appended after head", func(es []Entry, h string) ([]Entry, string) {
			x := Entry{User: "U9", Action: ActReset, At: t0}
			x.Seal(5, h)
			return append(es, x), h
		}, 6, "past the recorded end of the trail (entry 5)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es, head := tc.mut(sealedChain(5))
			b := VerifyChain(es, head)
			switch {
			case tc.seq == 0 && b != nil:
				t.Errorf("intact chain reported broken: %v", b)
			case tc.seq != 0 && b == nil:
				t.Errorf("tampering not detected")
			case tc.seq != 0 && (b.Seq != tc.seq || !strings.Contains(b.Error(), tc.reason)):
				t.Errorf("break %q, want entry %d: …%s", b, tc.seq, tc.reason)
			}
		})
	}
}

func TestVerifyCommand(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes", "Registration submitted", "Test entitlements granted")
	if text := body(command(t, s, "U1", "verify")); !strings.Contains(text, "All 3 entries are intact") || !strings.Contains(text, stored(m).Head) {
		t.Errorf("verify: %s", text)
	}
	m.mu.Lock()
	m.entries["F1"][1].Detail = "Registration not submitted"
	m.mu.Unlock()
	if text := body(command(t, s, "U1", "verify")); !strings.Contains(text, "breaks at entry 2") || !strings.Contains(text, "edited") {
		t.Errorf("verify after tampering: %s", text)
	}
	s2, _ := newService(t)
	if r := command(t, s2, "U1", "verify"); !strings.Contains(body(r), "empty") {
		t.Errorf("verify on a new firm: %s", body(r))
	}
}

var wantHeader = []string{"seq", "at_utc", "at_local", "user", "action", "step", "step_title", "choice", "detail", "detail_readable", "card_version", "version", "prev_hash", "hash", "roadmap", "name"}

// exportedChain is two entries an older build wrote (no roadmap, no
// name) followed by two this build wrote, with typed text that looks
// like spreadsheet formulas.
func exportedChain() []Entry {
	es, _ := sealedChain(4)
	es[1].Detail = `=HYPERLINK("http://evil","click")`
	es[2].Detail = "+1 agent, \"quoted\"\nnew line"
	es[2].Roadmap, es[2].Name = Default().Ref(), "-Ann \"Lee\", CFO"
	es[3].Detail = "@SUM(A1)"
	es[3].Roadmap, es[3].Name = Default().Ref(), "=cmd|' /C calc'!A0"
	head := ""
	for i := range es {
		es[i].Seal(int64(i), head)
		head = es[i].Hash
	}
	return es
}

func TestExportCSV(t *testing.T) {
	es := exportedChain()
	r := newFlow().Export("T1 <!channel> @{UEVIL}", es, t0)
	if r.File == nil || r.File.Name != "cais-audit-2026-11-24.csv" {
		t.Fatalf("export file %+v", r.File)
	}
	if strings.Contains(r.File.Title, "@{UEVIL}") || !strings.Contains(body(r), "4 entries") {
		t.Errorf("export title %q / body %q", r.File.Title, body(r))
	}
	rows, err := csv.NewReader(bytes.NewReader(r.File.Content)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(es)+1 || !slices.Equal(rows[0], wantHeader) {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	col := map[string]int{}
	for i, h := range wantHeader {
		col[h] = i
	}
	for i, e := range es {
		row := rows[i+1]
		if row[col["step_title"]] != "Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS" || row[col["at_local"]] == "" {
			t.Errorf("row %d: title %q local %q", i+1, row[col["step_title"]], row[col["at_local"]])
		}
		// Stored fields are byte-exact, formula-looking text included.
		if row[col["detail"]] != e.Detail || row[col["name"]] != e.Name || row[col["roadmap"]] != e.Roadmap || row[col["prev_hash"]] != e.Prev || row[col["hash"]] != e.Hash {
			t.Errorf("row %d: stored fields changed: %q", i+1, row)
		}
		if c := row[col["detail_readable"]][0]; c == '=' || c == '+' || c == '-' || c == '@' {
			t.Errorf("row %d: readable detail %q would run as a spreadsheet formula", i+1, row[col["detail_readable"]])
		}
		if got := readmeRecipe(t, row, col); got != row[col["hash"]] {
			t.Errorf("row %d: the README's recipe gives %s, the row says %s", i+1, got, row[col["hash"]])
		}
	}
	if empty := newFlow().Export("F1", nil, t0); !strings.HasPrefix(string(empty.File.Content), strings.Join(wantHeader, ",")+"\n") {
		t.Errorf("empty export %q", empty.File.Content)
	}
}

// readmeRecipe recomputes a row's hash as the README tells an examiner
// to, from the row alone and without caisbot's types: the ten-field array
// when roadmap and name are both empty, else the twelve-field one.
func readmeRecipe(t *testing.T, row []string, col map[string]int) string {
	t.Helper()
	num := func(c string) int64 {
		n, err := strconv.ParseInt(row[col[c]], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	fields := []any{num("seq"), row[col["at_utc"]], row[col["user"]], row[col["action"]], row[col["step"]],
		row[col["choice"]], row[col["detail"]], num("card_version"), num("version"), row[col["prev_hash"]]}
	if row[col["roadmap"]] != "" || row[col["name"]] != "" {
		fields = append(fields, row[col["roadmap"]], row[col["name"]])
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fields); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return hex.EncodeToString(sum[:])
}

func TestHistory(t *testing.T) {
	f := newFlow()
	if r := f.History(nil); !strings.Contains(body(r), "No entries yet") {
		t.Errorf("empty history: %s", body(r))
	}
	es := []Entry{
		{Seq: 1, At: t0, User: "U1", Action: ActConfirm, Step: "method", Detail: "CAT Reporting Agent: @{UEVIL}, [x](http://evil)"},
		{Seq: 2, At: t0, User: admin, Action: ActUndo, Step: "method", Detail: "reopened Step 4 (was: Self-report, by U1 at 2026-11-24T15:00:00Z)"},
		{Seq: 3, At: t0, User: admin, Action: ActDeadline, Step: "certify_agent_request", Detail: "target 2027-06-05"},
		{Seq: 4, At: t0, User: admin, Action: ActReset, Detail: "cleared 0 confirmations"},
		{Seq: 5, At: t0, User: admin, Action: ActAnnounce, Detail: "channel C1"},
		{Seq: 6, At: t0, User: admin, Action: ActAnnounceOff, Detail: "channel C1"},
		{Seq: 7, At: t0, User: "not an id!", Action: "future", Detail: "x"},
	}
	text := body(f.History(es))
	for _, w := range []string{
		"`#1` Nov 24, 2026 at 10:00 AM EST — @{U1} confirmed Step 4",
		"@{UADMIN} undid: reopened Step 4 (was: Self-report, by U1 at Nov 24, 2026 10:00 AM EST)",
		"set the target for Step 6(A): target 2027-06-05",
		"reset the roadmap (cleared 0 confirmations)",
		"subscribed channel C1", "unsubscribed channel C1",
		"`#7`", "not an id! future x",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("history lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "@{UEVIL}") || strings.Contains(text, "[x](") {
		t.Errorf("history renders user text live:\n%s", text)
	}
}
