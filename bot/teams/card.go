package teams

// The Adaptive Card elements the bot uses, as version 1.5 (the newest
// Teams renders on every client) defines them. Only these types are
// built, so every card is valid by construction; card_test.go checks the
// produced JSON against the schema's rules for them.

// CardVersion is the Adaptive Card schema version of every card.
const CardVersion = "1.5"

// CardContentType is an Adaptive Card attachment's content type.
const CardContentType = "application/vnd.microsoft.card.adaptive"

const cardSchema = "http://adaptivecards.io/schemas/adaptive-card.json"

// Card is an AdaptiveCard. Version is empty only on a card shown by
// Action.ShowCard, which inherits its parent's.
type Card struct {
	Type    string        `json:"type"`
	Schema  string        `json:"$schema,omitempty"`
	Version string        `json:"version,omitempty"`
	Body    []Element     `json:"body"`
	Actions []CardAction  `json:"actions,omitempty"`
	MSTeams *TeamsOptions `json:"msteams,omitempty"`
}

// TeamsOptions is Teams' extension of the card: full width suits the
// roadmap's long instructions.
type TeamsOptions struct {
	Width string `json:"width,omitempty"`
}

// Element is a TextBlock, a RichTextBlock, an Input.Text or an Input.Date.
type Element struct {
	Type      string `json:"type"`
	Spacing   string `json:"spacing,omitempty"`
	Separator bool   `json:"separator,omitempty"`
	// TextBlock
	Text     string `json:"text,omitempty"`
	Size     string `json:"size,omitempty"`
	Weight   string `json:"weight,omitempty"`
	Color    string `json:"color,omitempty"`
	FontType string `json:"fontType,omitempty"`
	IsSubtle bool   `json:"isSubtle,omitempty"`
	Wrap     bool   `json:"wrap,omitempty"`
	// RichTextBlock: text runs are never read as Markdown.
	Inlines []TextRun `json:"inlines,omitempty"`
	// Input.Text
	ID           string `json:"id,omitempty"`
	Label        string `json:"label,omitempty"`
	Placeholder  string `json:"placeholder,omitempty"`
	Value        string `json:"value,omitempty"`
	IsMultiline  bool   `json:"isMultiline,omitempty"`
	MaxLength    int    `json:"maxLength,omitempty"`
	IsRequired   bool   `json:"isRequired,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// TextRun is literal text inside a RichTextBlock.
type TextRun struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	FontType string `json:"fontType,omitempty"`
	Size     string `json:"size,omitempty"`
}

// CardAction is an Action.Submit or an Action.ShowCard.
type CardAction struct {
	Type  string            `json:"type"`
	Title string            `json:"title"`
	Style string            `json:"style,omitempty"`
	Data  map[string]string `json:"data,omitempty"`
	Card  *Card             `json:"card,omitempty"`
	// AssociatedInputs "none" lets Cancel through a form whose input is
	// required and empty.
	AssociatedInputs string `json:"associatedInputs,omitempty"`
}

// Element and action type names, and the style values the bot uses.
const (
	textBlock      = "TextBlock"
	richTextBlock  = "RichTextBlock"
	textRun        = "TextRun"
	inputText      = "Input.Text"
	actionSubmit   = "Action.Submit"
	actionShowCard = "Action.ShowCard"
	stylePositive  = "positive"
	styleDanger    = "destructive"
)

// Keys of Action.Submit data: what a click sends back.
const (
	dataToken  = "cais"       // the dialogs token
	dataForm   = "caisForm"   // set on a form's submit
	dataCancel = "caisCancel" // set on a confirmation's cancel
	inputID    = "caisInput"  // the form's text input, merged into data
)

func text(s string) Element {
	return Element{Type: textBlock, Text: s, Wrap: true}
}
