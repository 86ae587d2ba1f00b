package dialogs

import (
	"regexp"
	"strings"
)

var (
	plainMention = regexp.MustCompile(`@\{([A-Za-z0-9]+)\}`)
	plainLink    = regexp.MustCompile(`\[([^\]]*)\]\(([^)\s]*)\)`)
	plainMarks   = strings.NewReplacer("**", "", "`", "", "\u200b", "", "{cmd}", "/cais-next")
)

// PlainText is reply markup as plain text, for a document that shows no
// markup (the exam packet's PDF): mentions become the user id, a link
// its text and address, and the formatting markers go.
func PlainText(markup string) string {
	s := plainMention.ReplaceAllString(markup, "$1")
	s = plainLink.ReplaceAllString(s, "$1 ($2)")
	return plainMarks.Replace(s)
}
