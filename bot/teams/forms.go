package teams

import (
	"strings"

	"github.com/caisbot/caisbot/dialogs"
)

// Inputs of forms with typed fields: each field's input id is the prefix
// and the field's id, and comes back under that key in the submit data.
const (
	inputDate   = "Input.Date"
	fieldPrefix = "caisField_"
	moreTitle   = "More…"
)

// fieldInputs renders a form's typed fields: Input.Text for text,
// Input.Date for a date (the client shows its date picker and submits
// YYYY-MM-DD).
func (rd Renderer) fieldInputs(f *dialogs.Form, people People) []Element {
	out := make([]Element, 0, len(f.Fields))
	for _, fl := range f.Fields {
		e := Element{Type: inputText, ID: fieldPrefix + fl.ID, Label: plainText(fl.Label, rd.Command, people, maxTitle),
			Placeholder: plainText(fl.Placeholder, rd.Command, people, maxTitle), Value: clip(fl.Value, maxFormInput),
			IsRequired: !fl.Optional}
		switch fl.Kind {
		case dialogs.FieldDate:
			e.Type = inputDate
		case dialogs.FieldMultiline:
			e.IsMultiline, e.MaxLength = true, fieldMax(fl)
		default:
			e.MaxLength = fieldMax(fl)
		}
		if e.IsRequired {
			e.ErrorMessage = "This field is required."
		}
		out = append(out, e)
		if fl.Hint != "" {
			h := text(cardText(fl.Hint, rd.Command, people))
			h.Size, h.IsSubtle, h.Spacing = "Small", true, "None"
			out = append(out, h)
		}
	}
	return out
}

func fieldMax(fl dialogs.Field) int {
	if fl.MaxLen > 0 && fl.MaxLen < maxFormInput {
		return fl.MaxLen
	}
	return maxFormInput
}

// fieldValues are the typed fields of a submitted form, by field id; ok
// is false when one is longer than any form takes.
func fieldValues(data map[string]string) (values map[string]string, ok bool) {
	for k, v := range data {
		id, found := strings.CutPrefix(k, fieldPrefix)
		if !found {
			continue
		}
		if len(v) > maxFormInput {
			return nil, false
		}
		if values == nil {
			values = map[string]string{}
		}
		values[id] = v
	}
	return values, true
}

// actions renders a card's buttons: the usual path and the answers on
// top, the secondary ones ("Waiting on…", "Need help") under one "More…"
// so that no card shows more than maxActions. A secondary action that
// asks for confirmation stays on top: Teams shows no card inside a
// shown card.
func (rd Renderer) actions(all []dialogs.Action, people People) []CardAction {
	var top, more []CardAction
	for _, a := range all {
		if a.Secondary && a.Confirm == nil {
			more = append(more, rd.action(a, people))
		} else {
			top = append(top, rd.action(a, people))
		}
	}
	room := maxActions
	if len(more) > 0 {
		room--
	}
	if len(top) > room {
		top = top[:room]
	}
	if len(more) > 0 {
		top = append(top, CardAction{Type: actionShowCard, Title: moreTitle, Card: &Card{Type: "AdaptiveCard", Body: []Element{}, Actions: more}})
	}
	return top
}
