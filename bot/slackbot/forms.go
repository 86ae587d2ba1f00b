package slackbot

import (
	"strings"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/slack-go/slack"
)

// fieldBlockPrefix marks the input blocks of a form with typed fields;
// block and action id are both the prefix and the field's id.
const fieldBlockPrefix = "f_"

// formBlocks are a form's input blocks: the single multiline text of a
// one-input form (block "agents", as before), or one block per field, a
// datepicker for a date.
func formBlocks(f *dialogs.Form) []slack.Block {
	if !f.Multi() {
		input := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, clip(f.Placeholder, 150), false, false), formInput).
			WithMultiline(true).WithMaxLength(maxFormInput)
		return []slack.Block{slack.NewInputBlock(formBlock,
			slack.NewTextBlockObject(slack.PlainTextType, clip(f.Label, 2000), false, false),
			slack.NewTextBlockObject(slack.PlainTextType, clip(f.Hint, 2000), false, false), input)}
	}
	out := make([]slack.Block, 0, len(f.Fields))
	for _, fl := range f.Fields {
		id := fieldBlockPrefix + fl.ID
		var el slack.BlockElement
		placeholder := optionalText(fl.Placeholder, 150)
		switch fl.Kind {
		case dialogs.FieldDate:
			dp := slack.NewDatePickerBlockElement(id)
			dp.InitialDate, dp.Placeholder = fl.Value, placeholder
			el = dp
		default:
			in := slack.NewPlainTextInputBlockElement(placeholder, id).
				WithMultiline(fl.Kind == dialogs.FieldMultiline).WithMaxLength(fieldMax(fl))
			in.InitialValue = fl.Value
			el = in
		}
		b := slack.NewInputBlock(id, slack.NewTextBlockObject(slack.PlainTextType, clip(fl.Label, 2000), false, false), optionalText(fl.Hint, 2000), el)
		out = append(out, b.WithOptional(fl.Optional))
	}
	return out
}

func fieldMax(fl dialogs.Field) int {
	if fl.MaxLen > 0 && fl.MaxLen < maxFormInput {
		return fl.MaxLen
	}
	return maxFormInput
}

// optionalText is a plain-text object, or nil for an empty string (Slack
// refuses empty text objects).
func optionalText(s string, n int) *slack.TextBlockObject {
	if s == "" {
		return nil
	}
	return slack.NewTextBlockObject(slack.PlainTextType, clip(s, n), false, false)
}

// submitted reads a view_submission's state: the one-input form's text,
// or each typed field's value (a datepicker's selected_date). tooLong
// names the block of a value over the form limit.
func submitted(state *slack.ViewState) (input string, values map[string]string, tooLong string) {
	if state == nil {
		return "", nil, ""
	}
	if v, ok := state.Values[formBlock][formInput]; ok {
		if len(v.Value) > maxFormInput {
			return "", nil, formBlock
		}
		return v.Value, nil, ""
	}
	for block, actions := range state.Values {
		id, ok := strings.CutPrefix(block, fieldBlockPrefix)
		a, found := actions[block]
		if !ok || !found {
			continue
		}
		v := a.Value
		if string(a.Type) == string(slack.METDatepicker) || a.SelectedDate != "" {
			v = a.SelectedDate
		}
		if len(v) > maxFormInput {
			return "", nil, block
		}
		if values == nil {
			values = map[string]string{}
		}
		values[id] = v
	}
	return "", values, ""
}

// errorBlock is the block a form error is shown under: the field it is
// about, else the form's first input.
func errorBlock(r dialogs.Reply) string {
	if r.Form == nil || !r.Form.Multi() {
		return formBlock
	}
	if _, ok := r.Form.Field(r.FormField); ok {
		return fieldBlockPrefix + r.FormField
	}
	return fieldBlockPrefix + r.Form.Fields[0].ID
}

// replyErrors shows a rejected submission's problems, each under its
// field, all at once.
func replyErrors(r dialogs.Reply) answer {
	errs := map[string]string{errorBlock(r): r.FormError}
	for _, m := range r.FormMore {
		if r.Form == nil || !r.Form.Multi() {
			break
		}
		if _, ok := r.Form.Field(m.Field); ok && errs[fieldBlockPrefix+m.Field] == "" {
			errs[fieldBlockPrefix+m.Field] = m.Message
		}
	}
	return ok(map[string]any{"response_action": "errors", "errors": errs})
}
