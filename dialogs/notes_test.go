package dialogs

import (
	"strings"
	"testing"
	"time"
)

// The fields words added to the roadmap are parsed strictly and validated
// with the path of each fault, like the rest.
func TestParseRefusesNoteAndMetaFaults(t *testing.T) {
	note := func(n string) string { return edit(t, `title: "Second"`, "title: \"Second\"\n    notes:\n      - "+n) }
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"note without as_of", note(`{text: "T", source: "FAQ"}`), []string{`step "b" notes[0]`, `as_of ""`}},
		{"note as_of not a date", note(`{text: "T", source: "FAQ", as_of: "mid-2026"}`), []string{`step "b" notes[0]`, `"mid-2026"`, "YYYY-MM"}},
		{"note without source", note(`{text: "T", as_of: "2026-06"}`), []string{`step "b" notes[0]`, "has no source"}},
		{"note without text", note(`{source: "FAQ", as_of: "2026-06"}`), []string{`step "b" notes[0]`, "has no text"}},
		{"note with an unknown field", note(`{text: "T", source: "FAQ", as_of: "2026-06", asof: "x"}`), []string{"asof", "not found", "line"}},
		{"obligation as a bare string", edit(t, `title: "The end"`, "title: \"The end\"\n    obligations:\n      - \"Report daily\""),
			[]string{`step "end" obligations[0]`, "has no source"}},
		{"reviewed not a date", edit(t, "title: Mini", "title: Mini\nreviewed: \"December 2026\""), []string{"reviewed", `"December 2026"`, "YYYY-MM-DD"}},
		{"confirm without its buttons", edit(t, `- {id: "yes", label: "Yes", primary: true, next: b}`, `- {id: "yes", label: "Yes", primary: true, next: b, confirm: {title: "Sure?", text: "Really"}}`),
			[]string{`step "a" choice "yes" confirm`, "title, text, ok and cancel"}},
		{"confirm text too long for Slack", edit(t, `- {id: "yes", label: "Yes", primary: true, next: b}`, `- {id: "yes", label: "Yes", primary: true, next: b, confirm: {title: "Sure?", text: "`+strings.Repeat("x", 301)+`", ok: "OK", cancel: "Back"}}`),
			[]string{`step "a" choice "yes" confirm`, "text 300"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse([]byte(tc.yaml)); err == nil {
				t.Fatal("Parse accepted a faulty roadmap")
			} else {
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q\ndoes not mention %q", err, w)
					}
				}
			}
		})
	}
}

// An older roadmap file (plain-string notes, no version, no reviewed)
// still loads; Warnings names each gap.
func TestOlderRoadmapFileLoadsWithWarnings(t *testing.T) {
	old := edit(t, `title: "Second"`, "title: \"Second\"\n    notes:\n      - \"A note from before as-of dates\"")
	r, err := Parse([]byte(old))
	if err != nil {
		t.Fatalf("older roadmap refused: %v", err)
	}
	got := strings.Join(r.Warnings(t0), "\n")
	for _, w := range []string{"no version", "no reviewed date", `step "b" notes[0] has no source or as-of date`} {
		if !strings.Contains(got, w) {
			t.Errorf("warnings lack %q:\n%s", w, got)
		}
	}
	if s, _ := r.Step("b"); s.Notes[0].String() != "A note from before as-of dates" {
		t.Errorf("plain note shown as %q", s.Notes[0].String())
	}
}

func TestEmbeddedRoadmapVersionReviewedAndSources(t *testing.T) {
	r := Default()
	reviewed, err := time.Parse(time.DateOnly, r.Reviewed)
	if r.Version == "" || err != nil {
		t.Fatalf("embedded roadmap: version %q, reviewed %q", r.Version, r.Reviewed)
	}
	if w := r.Warnings(reviewed.AddDate(0, 6, 0)); len(w) != 0 {
		t.Errorf("embedded roadmap warns on the day it turns 6 months old: %q", w)
	}
	if w := strings.Join(r.Warnings(reviewed.AddDate(0, 6, 1)), "\n"); !strings.Contains(w, "more than 6 months ago") {
		t.Errorf("no warning a day after 6 months: %q", w)
	}
	for _, s := range r.all() {
		for i, n := range append(append([]Note{}, s.Notes...), s.Obligations...) {
			if n.Source == "" || n.AsOf == "" {
				t.Errorf("%s note/obligation %d has no source or as-of date: %q", s.ID, i, n.Text)
			}
		}
	}
}

func TestNoteShowsSourceAndAsOf(t *testing.T) {
	for _, tc := range []struct {
		n    Note
		want string
	}{
		{Note{Text: "Due T+1.", Source: "CAT FAQ Q21 (archived)", AsOf: "2026-12"}, "Due T+1. (CAT FAQ Q21 (archived); as of December 2026)"},
		{Note{Text: "One SAA.", Source: "FINRA", AsOf: "2026-06-15"}, "One SAA. (FINRA; as of June 15, 2026)"},
		{Note{Text: "Plain."}, "Plain."},
	} {
		if got := tc.n.String(); got != tc.want {
			t.Errorf("%+v shown as %q, want %q", tc.n, got, tc.want)
		}
	}
}
