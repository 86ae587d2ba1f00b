package slackfake

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits Slack enforces (docs.slack.dev/reference/block-kit):
// a message or view over any of them is refused with invalid_blocks, so
// the fake refuses it too.
const (
	maxSectionText = 3000
	maxHeaderText  = 150
	maxButtonText  = 75
	maxMsgBlocks   = 50
	maxViewBlocks  = 100
	maxElements    = 25
)

type block struct {
	Type     string `json:"type"`
	Text     *text  `json:"text"`
	Elements []struct {
		Type string `json:"type"`
		Text any    `json:"text"`
	} `json:"elements"`
}

type text struct {
	Text string `json:"text"`
}

// invalidBlocks says why Slack would refuse the call's blocks ("" if it
// would not).
func invalidBlocks(c Call) string {
	raw, limit := c.param("blocks"), maxMsgBlocks
	if v, ok := c.JSON["view"].(map[string]any); ok {
		b, _ := json.Marshal(v["blocks"])
		raw, limit = string(b), maxViewBlocks
	} else if v := c.param("view"); v != "" {
		var view struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal([]byte(v), &view)
		raw, limit = string(view.Blocks), maxViewBlocks
	} else if b, ok := c.JSON["blocks"]; ok {
		j, _ := json.Marshal(b)
		raw = string(j)
	}
	if raw == "" || raw == "null" {
		return ""
	}
	var blocks []block
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return "blocks are not a JSON list of blocks"
	}
	if len(blocks) > limit {
		return fmt.Sprintf("%d blocks; at most %d", len(blocks), limit)
	}
	for i, b := range blocks {
		if why := b.invalid(); why != "" {
			return fmt.Sprintf("block %d: %s", i, why)
		}
	}
	return ""
}

func (b block) invalid() string {
	n := 0
	if b.Text != nil {
		n = utf8.RuneCountInString(b.Text.Text)
	}
	switch {
	case b.Type == "section" && n > maxSectionText:
		return fmt.Sprintf("section text of %d characters; at most %d", n, maxSectionText)
	case b.Type == "header" && n > maxHeaderText:
		return fmt.Sprintf("header of %d characters; at most %d", n, maxHeaderText)
	case b.Type == "actions" && len(b.Elements) > maxElements:
		return fmt.Sprintf("%d elements; at most %d", len(b.Elements), maxElements)
	}
	for _, e := range b.Elements {
		if t, ok := e.Text.(map[string]any); ok && e.Type == "button" {
			if s, _ := t["text"].(string); utf8.RuneCountInString(s) > maxButtonText {
				return fmt.Sprintf("button text of %d characters; at most %d", utf8.RuneCountInString(s), maxButtonText)
			}
		}
		if s, ok := e.Text.(string); ok && b.Type == "context" && utf8.RuneCountInString(s) > maxSectionText {
			return fmt.Sprintf("context text of %d characters; at most %d", utf8.RuneCountInString(s), maxSectionText)
		}
	}
	return ""
}
