package teams

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// A structural validator for the part of Adaptive Card schema 1.5 the bot
// uses (adaptivecards.io/explorer): the card, TextBlock, RichTextBlock,
// TextRun, Input.Text, Action.Submit and Action.ShowCard, with their
// required properties and enumerations. A property the schema does not
// define for the element is an error, and so is any other element type.
// Enumerations are case-insensitive, as the schema's patterns are.

type propRule struct {
	kind     string   // string, bool, int, object, array, card, elements, actions, inlines
	enum     []string // allowed values (lower case) for strings
	required bool
}

var (
	sizes    = []string{"default", "small", "medium", "large", "extralarge"}
	weights  = []string{"default", "lighter", "bolder"}
	colors   = []string{"default", "dark", "light", "accent", "good", "warning", "attention"}
	spacings = []string{"default", "none", "small", "medium", "large", "extralarge", "padding"}
	fonts    = []string{"default", "monospace"}
	astyles  = []string{"default", "positive", "destructive"}
)

// common are the properties every element may have.
var common = map[string]propRule{
	"type": {kind: "string", required: true}, "id": {kind: "string"}, "spacing": {kind: "string", enum: spacings},
	"separator": {kind: "bool"}, "isVisible": {kind: "bool"}, "height": {kind: "string", enum: []string{"auto", "stretch"}},
}

var elementRules = map[string]map[string]propRule{
	"TextBlock": {"text": {kind: "string", required: true}, "size": {kind: "string", enum: sizes}, "weight": {kind: "string", enum: weights},
		"color": {kind: "string", enum: colors}, "fontType": {kind: "string", enum: fonts}, "isSubtle": {kind: "bool"},
		"wrap": {kind: "bool"}, "maxLines": {kind: "int"}, "horizontalAlignment": {kind: "string", enum: []string{"left", "center", "right"}},
		"style": {kind: "string", enum: []string{"default", "heading"}}},
	"RichTextBlock": {"inlines": {kind: "inlines", required: true}, "horizontalAlignment": {kind: "string", enum: []string{"left", "center", "right"}}},
	"Input.Text": {"label": {kind: "string"}, "placeholder": {kind: "string"}, "value": {kind: "string"}, "isMultiline": {kind: "bool"},
		"maxLength": {kind: "int"}, "isRequired": {kind: "bool"}, "errorMessage": {kind: "string"}, "regex": {kind: "string"},
		"style": {kind: "string", enum: []string{"text", "tel", "url", "email", "password"}}},
	"Input.Date": {"label": {kind: "string"}, "placeholder": {kind: "string"}, "value": {kind: "string"}, "min": {kind: "string"},
		"max": {kind: "string"}, "isRequired": {kind: "bool"}, "errorMessage": {kind: "string"}},
}

var textRunRules = map[string]propRule{
	"type": {kind: "string", required: true}, "text": {kind: "string", required: true}, "fontType": {kind: "string", enum: fonts},
	"size": {kind: "string", enum: sizes}, "weight": {kind: "string", enum: weights}, "color": {kind: "string", enum: colors},
	"isSubtle": {kind: "bool"}, "italic": {kind: "bool"}, "strikethrough": {kind: "bool"}, "highlight": {kind: "bool"}, "underline": {kind: "bool"},
}

var actionCommon = map[string]propRule{
	"type": {kind: "string", required: true}, "title": {kind: "string"}, "style": {kind: "string", enum: astyles},
	"id": {kind: "string"}, "iconUrl": {kind: "string"}, "tooltip": {kind: "string"}, "isEnabled": {kind: "bool"},
	"mode": {kind: "string", enum: []string{"primary", "secondary"}},
}

var actionRules = map[string]map[string]propRule{
	"Action.Submit":   {"data": {kind: "object"}, "associatedInputs": {kind: "string", enum: []string{"auto", "none"}}},
	"Action.ShowCard": {"card": {kind: "card", required: true}},
}

// validateCard checks a top-level card; it returns every fault found.
func validateCard(raw []byte) []string {
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		return []string{"not a JSON object: " + err.Error()}
	}
	v := &validator{inputs: map[string]bool{}}
	if c["version"] != CardVersion {
		v.fail("card", "version %v, want %q", c["version"], CardVersion)
	}
	v.card("card", c, true)
	return v.faults
}

type validator struct {
	faults []string
	inputs map[string]bool
}

func (v *validator) fail(path, format string, args ...any) {
	v.faults = append(v.faults, path+": "+fmt.Sprintf(format, args...))
}

func (v *validator) card(path string, c map[string]any, top bool) {
	rules := map[string]propRule{"type": {kind: "string", required: true}, "version": {kind: "string", required: top},
		"$schema": {kind: "string"}, "body": {kind: "elements"}, "actions": {kind: "actions"}, "fallbackText": {kind: "string"},
		"speak": {kind: "string"}, "lang": {kind: "string"}, "msteams": {kind: "object"}}
	if c["type"] != "AdaptiveCard" {
		v.fail(path, "type %v, want AdaptiveCard", c["type"])
	}
	v.props(path, c, rules)
	if ms, ok := c["msteams"].(map[string]any); ok {
		for k, val := range ms {
			if k != "width" || val != "Full" {
				v.fail(path+".msteams", "unknown Teams option %s=%v", k, val)
			}
		}
	}
}

func (v *validator) props(path string, obj map[string]any, rules map[string]propRule) {
	for name, rule := range rules {
		if _, ok := obj[name]; !ok && rule.required {
			v.fail(path, "missing required %q", name)
		}
	}
	for name, val := range obj {
		rule, ok := rules[name]
		if !ok {
			v.fail(path, "unknown property %q", name)
			continue
		}
		v.value(path+"."+name, val, rule)
	}
}

func (v *validator) value(path string, val any, rule propRule) {
	switch rule.kind {
	case "string":
		s, ok := val.(string)
		if !ok {
			v.fail(path, "want a string, got %T", val)
		} else if rule.enum != nil && !slices.Contains(rule.enum, strings.ToLower(s)) {
			v.fail(path, "%q is not one of %v", s, rule.enum)
		}
	case "bool":
		if _, ok := val.(bool); !ok {
			v.fail(path, "want a boolean, got %T", val)
		}
	case "int":
		if f, ok := val.(float64); !ok || f != float64(int(f)) || f < 0 {
			v.fail(path, "want a non-negative integer, got %v", val)
		}
	case "object":
		if _, ok := val.(map[string]any); !ok {
			v.fail(path, "want an object, got %T", val)
		}
	case "card":
		if c, ok := val.(map[string]any); ok {
			v.card(path, c, false)
		} else {
			v.fail(path, "want a card object")
		}
	case "elements", "actions", "inlines":
		v.list(path, val, rule.kind)
	}
}

func (v *validator) list(path string, val any, kind string) {
	items, ok := val.([]any)
	if !ok {
		v.fail(path, "want an array, got %T", val)
		return
	}
	for i, it := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		obj, ok := it.(map[string]any)
		if !ok {
			v.fail(p, "want an object")
			continue
		}
		switch kind {
		case "elements":
			v.element(p, obj)
		case "actions":
			v.action(p, obj, path)
		case "inlines":
			if obj["type"] != "TextRun" {
				v.fail(p, "inline type %v, want TextRun", obj["type"])
			}
			v.props(p, obj, textRunRules)
		}
	}
}

func (v *validator) element(path string, e map[string]any) {
	t, _ := e["type"].(string)
	rules, ok := elementRules[t]
	if !ok {
		v.fail(path, "unknown element type %q", t)
		return
	}
	v.props(path, e, merge(common, rules))
	if t == "TextBlock" && strings.TrimSpace(fmt.Sprint(e["text"])) == "" {
		v.fail(path, "empty TextBlock")
	}
	if t == "Input.Text" || t == "Input.Date" {
		id, _ := e["id"].(string)
		if id == "" || v.inputs[id] {
			v.fail(path, "input id %q missing or not unique", id)
		}
		v.inputs[id] = true
	}
}

func (v *validator) action(path string, a map[string]any, parent string) {
	t, _ := a["type"].(string)
	rules, ok := actionRules[t]
	if !ok {
		v.fail(path, "unknown action type %q", t)
		return
	}
	v.props(path, a, merge(actionCommon, rules))
	if strings.TrimSpace(fmt.Sprint(a["title"])) == "" {
		v.fail(path, "action without a title")
	}
	// Teams renders no ShowCard inside a ShowCard.
	if t == "Action.ShowCard" && strings.Contains(parent, ".card.") {
		v.fail(path, "nested Action.ShowCard")
	}
}

func merge(a, b map[string]propRule) map[string]propRule {
	out := map[string]propRule{}
	for k, r := range a {
		out[k] = r
	}
	for k, r := range b {
		out[k] = r
	}
	return out
}
