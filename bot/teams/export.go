package teams

import (
	"fmt"
	"slices"
	"strings"

	"github.com/caisbot/caisbot/dialogs"
)

// Bounds of one file card, well under Teams' ~28 KB message limit once
// the JSON around each line is added.
const (
	maxFileBytes = 10000
	maxFileLines = 60
)

// File renders an exported file as cards holding its text, one line per
// RichTextBlock in a monospace font: text runs are not Markdown, so the
// CSV arrives byte for byte (hashes included) for copying. A bot cannot
// upload a file to a Teams channel without Microsoft Graph permissions.
func (rd Renderer) File(f *dialogs.File) []*Activity {
	parts := splitLines(string(f.Content), maxFileBytes, maxFileLines)
	out := make([]*Activity, 0, len(parts))
	for i, lines := range parts {
		c := newCard()
		head := text(plainText(f.Title, rd.Command, nil, maxTitle) + " — " + f.Name)
		head.Weight = "Bolder"
		if len(parts) > 1 {
			head.Text += fmt.Sprintf(" (part %d of %d)", i+1, len(parts))
		}
		note := text("Copy the lines below into a file named " + f.Name + " (CSV, UTF-8).")
		note.Size, note.IsSubtle = "Small", true
		c.Body = append(c.Body, head, note)
		for j, l := range lines {
			e := Element{Type: richTextBlock, Inlines: []TextRun{{Type: textRun, Text: l, FontType: "Monospace", Size: "Small"}}}
			if j > 0 {
				e.Spacing = "None"
			}
			c.Body = append(c.Body, e)
		}
		out = append(out, rd.activity(c, f.Name))
	}
	return out
}

// splitLines groups lines into parts of at most maxBytes and maxLines
// each (a longer line is a part of its own).
func splitLines(s string, maxBytes, maxLines int) [][]string {
	var parts [][]string
	var cur []string
	size := 0
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, "\r"); l == "" {
			continue
		}
		if len(cur) > 0 && (size+len(l) > maxBytes || len(cur) == maxLines) {
			parts, cur, size = append(parts, cur), nil, 0
		}
		cur, size = append(cur, l), size+len(l)
	}
	return append(parts, cur)
}

// fileWords words a reply's file as Teams delivers it — an export as text
// in the messages that follow, a packet offered in the personal chat —
// never "attached", which a Teams user would look for in vain.
func fileWords(r dialogs.Reply) dialogs.Reply {
	var words []string // pairs: Slack's words, Teams' words
	if f := r.File; f != nil {
		to := " follows as text in the next messages (save it as `" + f.Name + "`)"
		if f.Kind == dialogs.FilePacket {
			to = " is offered as `" + f.Name + "` in your personal chat with caisbot: accept it there to save it"
		}
		words = append(words, " is attached as `"+f.Name+"`", to,
			" is sent to you by direct message as a CSV file.", " follows here as text in the next messages (save it as `"+f.Name+"`).")
	}
	// The console, which Teams shows only in an admin's personal chat.
	words = append(words, "**Download CSV** sends you the whole list by direct message; nobody else sees it.",
		"**Download CSV** sends you the whole list here, as text to save as a CSV file; nobody else sees it.")
	r.Parts = slices.Clone(r.Parts)
	for i := range r.Parts {
		for j := 0; j < len(words); j += 2 {
			r.Parts[i].Text = strings.Replace(r.Parts[i].Text, words[j], words[j+1], 1)
		}
	}
	return r
}
