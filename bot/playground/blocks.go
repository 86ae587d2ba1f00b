package playground

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits Slack enforces, checked so that a bot that would be
// refused by Slack is refused here too.
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxMessageText   = 40000
)

type jsonObject = map[string]any

// decodeJSON decodes keeping numbers as written.
func decodeJSON(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	return d.Decode(v)
}

func encodeJSON(v any) json.RawMessage {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(v)
	return bytes.TrimRight(b.Bytes(), "\n")
}

// normalizeBlocks parses a blocks array, gives every block a block_id and
// every interactive element an action_id where the bot left them out (Slack
// does the same), and checks Slack's limits. It returns the blocks to store
// and Slack-style error strings.
func normalizeBlocks(raw json.RawMessage, maxBlocks int) ([]any, []string) {
	var blocks []any
	if err := decodeJSON(raw, &blocks); err != nil {
		return nil, []string{"invalid JSON: " + err.Error() + " [json-pointer:/blocks]"}
	}
	v := &validator{}
	if len(blocks) > maxBlocks {
		v.fail("/blocks", "no more than %d items allowed", maxBlocks)
	}
	seen := map[string]bool{}
	for i, b := range blocks {
		at := fmt.Sprintf("/blocks/%d", i)
		blk, ok := b.(jsonObject)
		if !ok {
			v.fail(at, "must be an object")
			continue
		}
		id, _ := blk["block_id"].(string)
		if id == "" {
			id = randomHex(3)
			blk["block_id"] = id
		}
		v.maxLen(at+"/block_id", id, 255)
		if seen[id] {
			v.fail(at+"/block_id", "duplicate block_id %q", id)
		}
		seen[id] = true
		v.block(at, blk)
	}
	return blocks, v.errs
}

type validator struct{ errs []string }

func (v *validator) fail(at, format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, args...)+" [json-pointer:"+at+"]")
}

func (v *validator) maxLen(at, s string, n int) {
	if utf8.RuneCountInString(s) > n {
		v.fail(at, "must be less than %d characters", n+1)
	}
}

// text checks a text object; kinds lists the allowed types.
func (v *validator) text(at string, t any, limit int, kinds ...string) {
	obj, ok := t.(jsonObject)
	if !ok {
		v.fail(at, "must be a text object")
		return
	}
	typ, _ := obj["type"].(string)
	allowed := false
	for _, k := range kinds {
		allowed = allowed || typ == k
	}
	if !allowed {
		v.fail(at+"/type", "must be one of %v", kinds)
	}
	s, _ := obj["text"].(string)
	if s == "" {
		v.fail(at+"/text", "must be more than 0 characters")
	}
	v.maxLen(at+"/text", s, limit)
}

func (v *validator) block(at string, blk jsonObject) {
	typ, _ := blk["type"].(string)
	switch typ {
	case "":
		v.fail(at+"/type", "missing required field: type")
	case "header":
		v.text(at+"/text", blk["text"], 150, "plain_text")
	case "section":
		if blk["text"] == nil && blk["fields"] == nil {
			v.fail(at, "must provide either text or fields")
		}
		if blk["text"] != nil {
			v.text(at+"/text", blk["text"], 3000, "plain_text", "mrkdwn")
		}
		if fields, ok := blk["fields"].([]any); ok {
			if len(fields) > 10 {
				v.fail(at+"/fields", "no more than 10 items allowed")
			}
			for i, f := range fields {
				v.text(fmt.Sprintf("%s/fields/%d", at, i), f, 2000, "plain_text", "mrkdwn")
			}
		}
		if acc, ok := blk["accessory"].(jsonObject); ok {
			v.element(at+"/accessory", acc, map[string]bool{})
		}
	case "context":
		els, _ := blk["elements"].([]any)
		if len(els) == 0 || len(els) > 10 {
			v.fail(at+"/elements", "must have 1 to 10 items")
		}
		for i, e := range els {
			if obj, ok := e.(jsonObject); ok && obj["type"] == "image" {
				continue
			}
			v.text(fmt.Sprintf("%s/elements/%d", at, i), e, 3000, "plain_text", "mrkdwn")
		}
	case "actions":
		els, _ := blk["elements"].([]any)
		if len(els) == 0 || len(els) > 25 {
			v.fail(at+"/elements", "must have 1 to 25 items")
		}
		ids := map[string]bool{}
		for i, e := range els {
			obj, ok := e.(jsonObject)
			if !ok {
				v.fail(fmt.Sprintf("%s/elements/%d", at, i), "must be an object")
				continue
			}
			v.element(fmt.Sprintf("%s/elements/%d", at, i), obj, ids)
		}
	case "input":
		v.text(at+"/label", blk["label"], 2000, "plain_text")
		el, ok := blk["element"].(jsonObject)
		if !ok {
			v.fail(at+"/element", "missing required field: element")
			break
		}
		v.element(at+"/element", el, map[string]bool{})
		if blk["hint"] != nil {
			v.text(at+"/hint", blk["hint"], 2000, "plain_text")
		}
	}
}

// element checks an interactive element and fills in its action_id.
func (v *validator) element(at string, el jsonObject, ids map[string]bool) {
	typ, _ := el["type"].(string)
	switch typ {
	case "image", "":
		if typ == "" {
			v.fail(at+"/type", "missing required field: type")
		}
		return
	}
	id, _ := el["action_id"].(string)
	if id == "" {
		id = randomHex(3)
		el["action_id"] = id
	}
	v.maxLen(at+"/action_id", id, 255)
	if ids[id] {
		v.fail(at+"/action_id", "duplicate action_id %q", id)
	}
	ids[id] = true
	switch typ {
	case "button":
		v.text(at+"/text", el["text"], 75, "plain_text")
		if s, ok := el["value"].(string); ok {
			v.maxLen(at+"/value", s, 2000)
		}
		if s, ok := el["url"].(string); ok {
			v.maxLen(at+"/url", s, 3000)
		}
		if s, ok := el["style"].(string); ok && s != "primary" && s != "danger" {
			v.fail(at+"/style", "must be primary or danger")
		}
		if c, ok := el["confirm"].(jsonObject); ok {
			v.text(at+"/confirm/title", c["title"], 100, "plain_text")
			v.text(at+"/confirm/text", c["text"], 300, "plain_text", "mrkdwn")
			v.text(at+"/confirm/confirm", c["confirm"], 30, "plain_text")
			v.text(at+"/confirm/deny", c["deny"], 30, "plain_text")
		}
	case "datepicker":
		if el["placeholder"] != nil {
			v.text(at+"/placeholder", el["placeholder"], 150, "plain_text")
		}
		if s, ok := el["initial_date"].(string); ok && !isDate(s) {
			v.fail(at+"/initial_date", "must be a date in the format YYYY-MM-DD")
		}
	case "plain_text_input":
		if el["placeholder"] != nil {
			v.text(at+"/placeholder", el["placeholder"], 150, "plain_text")
		}
		for _, k := range []string{"min_length", "max_length"} {
			if n, ok := el[k].(json.Number); ok {
				if i, err := n.Int64(); err != nil || i < 0 || i > 3000 {
					v.fail(at+"/"+k, "must be between 0 and 3000")
				}
			}
		}
	}
}

// normalizeView checks a modal or Home view and fills in block and action IDs.
func normalizeView(raw json.RawMessage, wantType string) (jsonObject, []string) {
	var view jsonObject
	if err := decodeJSON(raw, &view); err != nil || view == nil {
		return nil, []string{"view must be a JSON object [json-pointer:/view]"}
	}
	v := &validator{}
	typ, _ := view["type"].(string)
	if typ != wantType {
		v.fail("/view/type", "must be %q", wantType)
	}
	blocksRaw, _ := json.Marshal(view["blocks"])
	if view["blocks"] == nil {
		blocksRaw = []byte("[]")
	}
	blocks, errs := normalizeBlocks(blocksRaw, maxViewBlocks)
	for _, e := range errs {
		v.errs = append(v.errs, "view: "+e)
	}
	view["blocks"] = blocks
	if s, ok := view["private_metadata"].(string); ok {
		v.maxLen("/view/private_metadata", s, 3000)
	}
	for _, k := range []string{"callback_id", "external_id"} {
		if s, ok := view[k].(string); ok {
			v.maxLen("/view/"+k, s, 255)
		}
	}
	if typ == "modal" {
		v.text("/view/title", view["title"], 24, "plain_text")
		for _, k := range []string{"submit", "close"} {
			if view[k] != nil {
				v.text("/view/"+k, view[k], 24, "plain_text")
			}
		}
		hasInput := false
		for _, b := range blocks {
			if obj, ok := b.(jsonObject); ok && obj["type"] == "input" {
				hasInput = true
			}
		}
		if hasInput && view["submit"] == nil {
			v.fail("/view/submit", "submit is required when a view has input blocks")
		}
	}
	return view, v.errs
}

// findElement returns the interactive element with actionID in the block
// with blockID.
func findElement(blocks json.RawMessage, blockID, actionID string) (jsonObject, bool) {
	var list []any
	if err := decodeJSON(blocks, &list); err != nil {
		return nil, false
	}
	for _, b := range list {
		blk, ok := b.(jsonObject)
		if !ok || blk["block_id"] != blockID {
			continue
		}
		var candidates []any
		if els, ok := blk["elements"].([]any); ok {
			candidates = append(candidates, els...)
		}
		if acc, ok := blk["accessory"]; ok {
			candidates = append(candidates, acc)
		}
		for _, c := range candidates {
			if el, ok := c.(jsonObject); ok && el["action_id"] == actionID {
				return el, true
			}
		}
	}
	return nil, false
}

// firstElement finds the first element with actionID in any block; used by
// the Go API (ClickMessage) where the caller knows only the action.
func firstElement(blocks json.RawMessage, actionID string) (blockID string, el jsonObject, ok bool) {
	var list []any
	if err := decodeJSON(blocks, &list); err != nil {
		return "", nil, false
	}
	for _, b := range list {
		blk, _ := b.(jsonObject)
		id, _ := blk["block_id"].(string)
		if el, ok := findElement(encodeJSON([]any{blk}), id, actionID); ok {
			return id, el, true
		}
	}
	return "", nil, false
}
