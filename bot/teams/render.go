package teams

import (
	"strings"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
)

// Limits that keep a card well inside Teams' ~28 KB message size and
// readable on a phone.
const (
	maxTitle     = 200
	maxLine      = 2000
	maxElements  = 120
	maxActions   = 6 // Teams shows at most six card actions
	maxActionLen = 60
	maxFormInput = adapter.MaxFormInput
)

// Renderer turns platform-neutral replies into Adaptive Cards and Teams
// messages; it is the only place that builds cards.
type Renderer struct {
	// Command is how users address the bot, e.g. "@caisbot": it replaces
	// {cmd}, so "`{cmd} status`" reads "@caisbot status".
	Command string
}

// Card renders a reply (or its form) as an Adaptive Card.
func (rd Renderer) Card(r dialogs.Reply, people People) Card {
	if r.Form != nil {
		return rd.Form(r, people, "")
	}
	c := newCard()
	if r.Title != "" {
		c.Body = append(c.Body, rd.title(r.Title, people))
	}
	separate := false
	for _, p := range r.Parts {
		if p.Kind == dialogs.Divider {
			separate = true
			continue
		}
		els := rd.part(p, people)
		if len(els) > 0 && separate {
			els[0].Separator, separate = true, false
		}
		c.Body = append(c.Body, els...)
	}
	if len(c.Body) > maxElements {
		c.Body = append(c.Body[:maxElements-1], text("… (shortened)"))
	}
	c.Actions = rd.actions(r.Actions, people)
	return c
}

func newCard() Card {
	return Card{Type: "AdaptiveCard", Schema: cardSchema, Version: CardVersion, Body: []Element{}, MSTeams: &TeamsOptions{Width: "Full"}}
}

func (rd Renderer) title(s string, people People) Element {
	e := text(clip(cardText(s, rd.Command, people), maxTitle))
	e.Size, e.Weight = "Large", "Bolder"
	return e
}

// part renders one paragraph as one TextBlock per line: Teams does not
// reliably show a single line break inside a TextBlock.
func (rd Renderer) part(p dialogs.Part, people People) []Element {
	var out []Element
	for i, line := range strings.Split(cardText(p.Text, rd.Command, people), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		e := text(clip(line, maxLine))
		if p.Kind == dialogs.Context {
			e.Size, e.IsSubtle = "Small", true
		}
		if i > 0 {
			e.Spacing = "None"
		}
		out = append(out, e)
	}
	return out
}

func actionStyle(s dialogs.Style) string {
	switch s {
	case dialogs.Primary:
		return stylePositive
	case dialogs.Danger:
		return styleDanger
	}
	return ""
}

// action renders a button. Adaptive Cards have no confirmation dialog, so
// a button that needs one shows a second card asking "are you sure?",
// whose OK sends the token and whose Cancel sends it marked cancelled.
func (rd Renderer) action(a dialogs.Action, people People) CardAction {
	title := plainText(a.Label, rd.Command, people, maxActionLen)
	if a.Confirm == nil {
		return CardAction{Type: actionSubmit, Title: title, Style: actionStyle(a.Style), Data: map[string]string{dataToken: a.Value}}
	}
	c := a.Confirm
	heading := text(plainText(c.Title, rd.Command, people, maxTitle))
	heading.Weight = "Bolder"
	inner := &Card{Type: "AdaptiveCard", Body: []Element{heading, text(cardText(c.Text, rd.Command, people))},
		Actions: []CardAction{
			{Type: actionSubmit, Title: plainText(c.OK, rd.Command, people, maxActionLen), Style: actionStyle(a.Style), Data: map[string]string{dataToken: a.Value}},
			{Type: actionSubmit, Title: plainText(c.Cancel, rd.Command, people, maxActionLen), Data: map[string]string{dataToken: a.Value, dataCancel: "1"}},
		}}
	return CardAction{Type: actionShowCard, Title: title, Style: actionStyle(a.Style), Card: inner}
}

// Form renders a reply's form: what Slack shows as a modal is a card
// with a text input whose submit sends the token with the input. input
// refills the field after a rejected submission.
func (rd Renderer) Form(r dialogs.Reply, people People, input string) Card {
	f := r.Form
	c := newCard()
	c.Body = append(c.Body, rd.title(f.Title, people))
	if f.Hint != "" {
		c.Body = append(c.Body, text(cardText(f.Hint, rd.Command, people)))
	}
	for _, msg := range formProblems(r) {
		e := text("⚠️ " + cardText(msg, rd.Command, people))
		e.Color, e.Weight = "Attention", "Bolder"
		c.Body = append(c.Body, e)
	}
	if f.Multi() {
		c.Body = append(c.Body, rd.fieldInputs(f, people)...)
	} else {
		c.Body = append(c.Body, Element{Type: inputText, ID: inputID, Label: plainText(f.Label, rd.Command, people, maxTitle),
			Placeholder: plainText(f.Placeholder, rd.Command, people, maxTitle), Value: clip(input, maxFormInput), IsMultiline: true, MaxLength: maxFormInput,
			IsRequired: true, ErrorMessage: "This field is required."})
	}
	c.Actions = []CardAction{
		{Type: actionSubmit, Title: plainText(f.Submit, rd.Command, people, maxActionLen), Style: stylePositive, Data: map[string]string{dataToken: r.FormToken, dataForm: "1"}},
		{Type: actionSubmit, Title: "Cancel", AssociatedInputs: "none", Data: map[string]string{dataToken: r.FormToken, dataForm: "1", dataCancel: "1"}},
	}
	return c
}

// Summary is the text of a card's notification and of clients that
// cannot show cards.
func (rd Renderer) Summary(r dialogs.Reply, people People) string {
	if t := adapter.FallbackText(r); t != "" {
		return plainText(t, rd.Command, people, 300)
	}
	return "caisbot"
}

// Message is a reply as a message activity carrying its card.
func (rd Renderer) Message(r dialogs.Reply, people People) *Activity {
	return rd.activity(rd.Card(r, people), rd.Summary(r, people))
}

// Reminder is a deadline reminder as a message. Its card's first element
// carries the occurrence id as its element id: invisible to readers, and
// kept in the card JSON that Microsoft Graph returns for the message, so
// Poster.Find can recognise the post.
func (rd Renderer) Reminder(r dialogs.Reply, occurrence string) *Activity {
	c := rd.Card(r, nil)
	if len(c.Body) == 0 {
		c.Body = append(c.Body, text(rd.Summary(r, nil)))
	}
	c.Body[0].ID = markerPrefix + occurrence
	return rd.activity(c, rd.Summary(r, nil))
}

func (rd Renderer) activity(c Card, summary string) *Activity {
	return &Activity{Type: typeMessage, Summary: summary, Attachments: []Attachment{{ContentType: CardContentType, Content: c}}}
}

// Public is a reply's public line as a plain message, with a mention
// entity for each person it names whose Teams id is known.
func (rd Renderer) Public(r dialogs.Reply, people People) *Activity {
	t, entities := messageText(r.Public, rd.Command, people)
	return &Activity{Type: typeMessage, Text: t, TextFormat: "markdown", Entities: entities}
}

// formProblems are a rejected submission's messages, all shown at once
// above the fields (Adaptive Cards have no per-field error text that
// every Teams client shows).
func formProblems(r dialogs.Reply) []string {
	if r.FormError == "" {
		return nil
	}
	out := []string{r.FormError}
	for _, m := range r.FormMore {
		out = append(out, m.Message)
	}
	return out
}
