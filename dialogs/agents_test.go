package dialogs

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

func TestAgentNamesDifferingOnlyInCaseAreKeptOnce(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Acme Clearing\nACME CLEARING\nacme  clearing", []string{"Acme Clearing"}},
		{"bureau co\nBureau Co\nAcme", []string{"bureau co", "Acme"}},
		{"Straße AG\nSTRASSE AG", []string{"Straße AG", "STRASSE AG"}}, // not the same letters
	} {
		if got, problem := ParseAgents(tc.in); problem != "" || !slices.Equal(got, tc.want) {
			t.Errorf("ParseAgents(%q) = %q %q, want %q", tc.in, got, problem, tc.want)
		}
	}
}

// Markup characters in an agent's name stay text: the card shows the name
// inside its bold markers and nothing in it opens or closes another.
func TestAgentNamesWithMarkupCharacters(t *testing.T) {
	s, m := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|*Acme* _Clearing_\nB~u~reau `Co`\n**x**")
	text := body(card)
	for _, want := range []string{"**∗Acme∗ ˍClearingˍ**", "**B∼u∼reau ˋCoˋ**", "**∗∗x∗∗**"} {
		if !strings.Contains(text, want) {
			t.Errorf("card lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "*Acme*") || strings.Contains(text, "_Clearing_") || strings.Contains(text, "~u~") || strings.Contains(text, "`Co`") {
		t.Errorf("card carries live markup from the names:\n%s", text)
	}
	// Stored as typed.
	if got := stored(m).Agents(); !slices.Equal(got, []string{"*Acme* _Clearing_", "B~u~reau `Co`", "**x**"}) {
		t.Errorf("stored agents %q", got)
	}
}

// History shows the agents as a list, not JSON with \u003c escapes; the
// CSV keeps the stored detail byte-exact and adds a readable column.
func TestAgentsReadableInHistoryAndExport(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|Acme <Clearing> & Co\nBureau, \"LLC\"")
	e := trail(m)[len(trail(m))-1]
	stored := `CAT Reporting Agent: ["Acme \u003cClearing\u003e \u0026 Co","Bureau, \"LLC\""]`
	if e.Detail != stored {
		t.Fatalf("stored detail %q, want %q", e.Detail, stored)
	}
	h := body(command(t, s, "U1", "history"))
	if !strings.Contains(h, "confirmed Step 4 (CAT Reporting Agent: “Acme <Clearing> & Co”, “Bureau, \"LLC\"”)") || strings.Contains(h, `\u003c`) {
		t.Errorf("history:\n%s", h)
	}
	rows, err := csv.NewReader(bytes.NewReader(command(t, s, "U1", "export").File.Content)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	detail, readable := slices.Index(rows[0], "detail"), slices.Index(rows[0], "detail_readable")
	last := rows[len(rows)-1]
	if detail < 0 || readable < 0 || last[detail] != stored || last[readable] != "CAT Reporting Agent: “Acme <Clearing> & Co”, “Bureau, \"LLC\"”" {
		t.Errorf("CSV header %q, last row %q", rows[0], last)
	}
	if ReadableDetail("reopened Step 1 (from: x)") != "reopened Step 1 (from: x)" || ReadableDetail("a: [not json]") != "a: [not json]" {
		t.Error("other details must pass through unchanged")
	}
}

// The channel lines that name one agent in bold (its confirmation, and an
// undo of it) keep the name's markers from closing the bold.
func TestAgentNameInBoldChannelLines(t *testing.T) {
	s, _ := newService(t)
	card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent|*Acme* _Clearing_", "Test relationships saved")
	done := press(t, s, card, "Agent certified", "U1", "")
	undo := command(t, s, admin, "undo")
	for _, line := range []string{done.Public, undo.Public} {
		if !strings.Contains(line, "**∗Acme∗ ˍClearingˍ**") || strings.Contains(line, "*Acme*") {
			t.Errorf("channel line carries live markup from the name: %s", line)
		}
	}
}
