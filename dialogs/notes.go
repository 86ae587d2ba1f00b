package dialogs

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/caisbot/caisbot/internal/cache"
)

// Note is later context on a step (a regulatory note) or an ongoing
// obligation: what it says, where it comes from and when that source was
// last checked. In YAML it is a mapping {text, source, as_of}; a plain
// string is still read (roadmap files written before notes had sources),
// and Warnings names each such note.
type Note struct {
	Text   string `yaml:"text"`
	Source string `yaml:"source"`
	// AsOf is when the source said so: YYYY-MM-DD, or YYYY-MM when only
	// the month is known.
	AsOf string `yaml:"as_of"`
}

// UnmarshalYAML reads a note strictly: a string, or a mapping whose only
// keys are text, source and as_of.
func (n *Note) UnmarshalYAML(v *yaml.Node) error {
	switch v.Kind {
	case yaml.ScalarNode:
		*n = Note{Text: v.Value}
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(v.Content); i += 2 {
			switch k := v.Content[i]; k.Value {
			case "text", "source", "as_of":
			default:
				return fmt.Errorf("line %d: field %s not found in a note (text, source, as_of)", k.Line, k.Value)
			}
		}
		type plain Note
		return v.Decode((*plain)(n))
	}
	return fmt.Errorf("line %d: a note is a string or a mapping with text, source and as_of", v.Line)
}

// asOfLayouts are the forms an as-of date may take.
var asOfLayouts = []string{time.DateOnly, "2006-01"}

// parseAsOf reads an as-of date and says how to print it: a day as
// "June 5, 2026", a month as "June 2026".
func parseAsOf(s string) (time.Time, string, bool) {
	for _, l := range asOfLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if l == time.DateOnly {
				return t, longDate(t), true
			}
			return t, t.Format("January 2006"), true
		}
	}
	return time.Time{}, "", false
}

// shownNotes keeps what String made of each note: notes come from the
// roadmaps loaded at start-up, and every card shows its step's (parsing
// and formatting them was a tenth of a /cais-next's own work).
var shownNotes cache.Map[Note, string]

// String is the note as a card shows it: its text, then its source and
// as-of date in parentheses.
func (n Note) String() string {
	if s, ok := shownNotes.Get(n); ok {
		return s
	}
	s := n.format()
	shownNotes.Put(n, s, cache.Limit{Max: 4096})
	return s
}

func (n Note) format() string {
	_, asOf, ok := parseAsOf(n.AsOf)
	switch {
	case n.Source != "" && ok:
		return fmt.Sprintf("%s (%s; as of %s)", n.Text, n.Source, asOf)
	case n.Source != "":
		return fmt.Sprintf("%s (%s)", n.Text, n.Source)
	}
	return n.Text
}

// checkNotes: a note given as a mapping, and every obligation, names its
// source and a valid as-of date.
func checkNotes(s *Step, fail func(string, string, ...any)) {
	check := func(where string, n Note, strict bool) {
		if n.Text == "" {
			fail(where, "has no text")
		}
		if !strict && n.Source == "" && n.AsOf == "" {
			return // an old plain-string note: Warnings names it
		}
		if n.Source == "" {
			fail(where, "has no source")
		}
		if _, _, ok := parseAsOf(n.AsOf); !ok {
			fail(where, "as_of %q is not YYYY-MM-DD or YYYY-MM", n.AsOf)
		}
	}
	for i, n := range s.Notes {
		check(fmt.Sprintf("step %q notes[%d]", s.ID, i), n, false)
	}
	for i, n := range s.Obligations {
		check(fmt.Sprintf("step %q obligations[%d]", s.ID, i), n, true)
	}
}

// checkMeta: version and reviewed are optional, but a reviewed date must
// be a date.
func (r *Roadmap) checkMeta(fail func(string, string, ...any)) {
	if r.Reviewed == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, r.Reviewed); err != nil {
		fail("reviewed", "%q is not YYYY-MM-DD", r.Reviewed)
	}
}

// StaleAfter is how long after its review a roadmap is worth a warning.
const StaleAfter = 6 // months

// Warnings lists what an operator should know about a valid roadmap at
// now: a missing version or review date, a review more than StaleAfter
// months old, notes without a source and as-of date.
func (r *Roadmap) Warnings(now time.Time) []string {
	var out []string
	if r.Version == "" {
		out = append(out, "the roadmap has no version field")
	}
	if r.Reviewed == "" {
		out = append(out, "the roadmap has no reviewed date: nobody has said when its content was last checked")
	} else if day, err := time.Parse(time.DateOnly, r.Reviewed); err == nil && day.AddDate(0, StaleAfter, 0).Before(now) {
		out = append(out, fmt.Sprintf("the roadmap was last reviewed on %s, more than %d months ago: check its dates, notes and obligations against their sources", r.Reviewed, StaleAfter))
	}
	for _, s := range r.all() {
		for i, n := range s.Notes {
			if n.AsOf == "" {
				out = append(out, fmt.Sprintf("step %q notes[%d] has no source or as-of date", s.ID, i))
			}
		}
	}
	return out
}
