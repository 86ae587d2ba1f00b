package dialogs

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// FieldKind says what a form field takes.
type FieldKind string

// Field kinds. Every platform renders each one: Slack as a
// plain_text_input (multiline or not) or a datepicker, Teams as
// Input.Text or Input.Date.
const (
	FieldText      FieldKind = "text"
	FieldMultiline FieldKind = "multiline"
	FieldDate      FieldKind = "date" // YYYY-MM-DD
)

// Field is one input of a form with several fields.
type Field struct {
	ID          string    `yaml:"id"`
	Kind        FieldKind `yaml:"kind"`
	Label       string    `yaml:"label"`
	Hint        string    `yaml:"hint"`
	Placeholder string    `yaml:"placeholder"`
	Optional    bool      `yaml:"optional"`
	// MaxLen bounds a text field in characters (0: the platform's limit).
	MaxLen int `yaml:"max_len"`
	// Value pre-fills the field (a date as YYYY-MM-DD).
	Value string `yaml:"-"`
}

// Multi reports whether the form has typed fields; a form without them
// is a single multiline text input (Label, Hint, Placeholder), submitted
// as Event.Input.
func (f Form) Multi() bool { return len(f.Fields) > 0 }

// Field returns the form's field with that id.
func (f Form) Field(id string) (Field, bool) {
	for _, fl := range f.Fields {
		if fl.ID == id {
			return fl, true
		}
	}
	return Field{}, false
}

// MaxFieldLen bounds any submitted field value, whatever the platform.
const MaxFieldLen = 1500

// formProblem is a rejected submission: the field it is about, and what
// to tell the user.
type formProblem struct {
	Field, Message string
	// more are the other fields' problems, so the user sees them all at
	// once rather than one per submission.
	more []formProblem
}

// with is p and q together (either may be nil); a field keeps its first
// problem.
func (p *formProblem) with(q *formProblem) *formProblem {
	switch {
	case p == nil:
		return q
	case q == nil || p.about(q.Field):
		return p
	}
	p.more = append(p.more, formProblem{Field: q.Field, Message: q.Message})
	return p
}

// about reports whether a problem of p's is about field.
func (p *formProblem) about(field string) bool {
	if p == nil {
		return false
	}
	if p.Field == field {
		return true
	}
	for _, m := range p.more {
		if m.Field == field {
			return true
		}
	}
	return false
}

// into shows p on r: the first problem as FormError, the others beside
// their fields.
func (p *formProblem) into(r *Reply) {
	r.FormError, r.FormField = p.Message, p.Field
	r.FormMore = nil
	for _, m := range p.more {
		r.FormMore = append(r.FormMore, FieldError{Field: m.Field, Message: m.Message})
	}
}

// readFields checks submitted values against the form: required fields
// present, lengths within bounds, dates real dates (YYYY-MM-DD). Text is
// trimmed and its whitespace collapsed; unknown keys are ignored. The
// values returned are the fields that passed (so later checks can look
// at them too); the problem lists every field that did not.
func readFields(form Form, values map[string]string) (map[string]string, *formProblem) {
	out := make(map[string]string, len(form.Fields))
	var problem *formProblem
	for _, fl := range form.Fields {
		v := strings.Join(strings.Fields(values[fl.ID]), " ")
		if fl.Kind == FieldMultiline {
			v = strings.TrimSpace(values[fl.ID])
		}
		if p := checkField(fl, v); p != "" {
			problem = problem.with(&formProblem{Field: fl.ID, Message: p})
			continue
		}
		out[fl.ID] = v
	}
	return out, problem
}

func checkField(fl Field, v string) string {
	limit := fl.MaxLen
	if limit <= 0 || limit > MaxFieldLen {
		limit = MaxFieldLen
	}
	switch {
	case !utf8.ValidString(v):
		return "This field holds characters that are not text."
	case v == "" && !fl.Optional:
		return "Please fill in “" + fl.Label + "”." // quoted: a label may be a question
	case v == "":
		return ""
	case fl.Kind == FieldDate:
		if _, err := ParseDay(v); err != nil {
			return "Give the date as YYYY-MM-DD, for example 2027-01-15: " + err.Error() + "."
		}
	case utf8.RuneCountInString(v) > limit:
		return fmt.Sprintf("At most %d characters, please.", limit)
	}
	return ""
}

// ParseDay reads a calendar date written YYYY-MM-DD, refusing anything
// that is not a real date (2027-02-30) or not in that exact form.
func ParseDay(s string) (time.Time, error) {
	if len(s) != len(time.DateOnly) {
		return time.Time{}, fmt.Errorf("%q is not a date", s)
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Format(time.DateOnly) != s {
		return time.Time{}, fmt.Errorf("%q is not a real date", s)
	}
	return d, nil
}
