package teams

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/caisbot/caisbot/dialogs"
)

// Person is how a user id is shown: the display name Teams gave us, and
// the Teams id a mention entity must name.
type Person struct {
	Name    string `json:"n"`
	TeamsID string `json:"i"`
}

// People resolves user ids for one rendering; an id whose name is not
// known (one of the operator's listed ids before its person first wrote,
// a Slack id in a shared list, a failed lookup) is shown as the id
// itself, so a "who can act" answer still names someone.
type People map[string]Person

func (p People) name(id string) string {
	if n := p[id].Name; n != "" {
		return n
	}
	return id + " (name unknown)"
}

var (
	boldRe    = regexp.MustCompile(`\*\*(.+?)\*\*`)
	codeRe    = regexp.MustCompile("`([^`]+)`")
	linkRe    = regexp.MustCompile(`\[([^\]]+)\]\((https?://[^)\s<>]+)\)`)
	mentionRe = regexp.MustCompile(`@\{([A-Z0-9]{2,32})\}`)
)

// zwsp breaks a "<" away from what follows, so no text can form a tag
// (<at> mentions above all) in an Adaptive Card, which does not decode
// HTML entities.
const zwsp = "\u200b"

// cardText converts dialogs markup to the Markdown subset Adaptive Cards
// render in Teams: bold, italic and links; inline code becomes bold, as
// cards have none. Mentions become plain names: a card is no place to
// ping people. Escaping comes first, names (user data) are inserted last
// and made literal, so nothing a user typed turns into markup.
func cardText(s, command string, people People) string {
	s = strings.ReplaceAll(s, "<", "<"+zwsp)
	s = fillCmd(s, command)
	s = codeRe.ReplaceAllString(s, "**$1**")
	return mentionRe.ReplaceAllStringFunc(s, func(m string) string {
		return literalName(people.name(mentionRe.FindStringSubmatch(m)[1]))
	})
}

// literalName makes a display name safe to embed in card Markdown.
func literalName(name string) string {
	return strings.ReplaceAll(dialogs.Lit(name), "<", "<"+zwsp)
}

// htmlEscaper escapes what Teams reads as HTML in a message; quotes stay
// as they are, since they form nothing outside a tag.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// messageText converts markup to a Teams message's text, which is
// Markdown with HTML: &, < and > are escaped as entities first. Mentions
// become <at> mentions with their entities when the person's Teams id is
// known, else plain names.
func messageText(s, command string, people People) (string, []Entity) {
	s = htmlEscaper.Replace(s)
	s = strings.ReplaceAll(s, "{cmd}", htmlEscaper.Replace(command))
	var entities []Entity
	s = mentionRe.ReplaceAllStringFunc(s, func(m string) string {
		id := mentionRe.FindStringSubmatch(m)[1]
		p, ok := people[id]
		name := htmlEscaper.Replace(dialogs.Lit(people.name(id)))
		if !ok || p.TeamsID == "" {
			return name
		}
		text := "<at>" + name + "</at>"
		entities = append(entities, Entity{Type: "mention", Text: text, Mentioned: &Account{ID: p.TeamsID, Name: p.Name}})
		return text
	})
	return strings.ReplaceAll(s, "\n", "<br>"), entities
}

// plainText is markup without formatting (button titles, summaries).
func plainText(s, command string, people People, max int) string {
	s = boldRe.ReplaceAllString(s, "$1")
	s = codeRe.ReplaceAllString(s, "$1")
	s = linkRe.ReplaceAllString(s, "$1 ($2)")
	s = fillCmd(s, command)
	s = mentionRe.ReplaceAllStringFunc(s, func(m string) string {
		return people.name(mentionRe.FindStringSubmatch(m)[1])
	})
	return clip(s, max)
}

// clip shortens s to at most max runes, marking the cut.
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// mentioned lists the user ids a reply mentions, for looking up names.
func mentioned(r dialogs.Reply) []string {
	texts := []string{r.Title, r.Public}
	for _, p := range r.Parts {
		texts = append(texts, p.Text)
	}
	seen := map[string]bool{}
	var ids []string
	for _, t := range texts {
		for _, m := range mentionRe.FindAllStringSubmatch(t, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				ids = append(ids, m[1])
			}
		}
	}
	return ids
}

// fillCmd puts how users address caisbot where dialogs wrote {cmd}:
// "@caisbot" where a mention is needed; in a personal chat (command "")
// nothing, since the command alone is typed there — "`{cmd} status`"
// reads "`status`", and "`{cmd}`" (the next step) reads "`next`".
func fillCmd(s, command string) string {
	if command != "" {
		return strings.ReplaceAll(s, "{cmd}", command)
	}
	s = strings.ReplaceAll(s, "`{cmd}`", "`next`")
	s = strings.ReplaceAll(s, "{cmd} ", "")
	return strings.ReplaceAll(s, "{cmd}", "next")
}
