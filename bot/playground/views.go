package playground

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// viewAnswer is a views.* answer. Call with mu held.
func (p *Playground) viewAnswer(v *View) jsonObject {
	var body jsonObject
	_ = decodeJSON(v.Body, &body)
	return jsonObject{"view": p.viewObject(v, body, nil)}
}

// takeTrigger checks a trigger_id as Slack does: known, and used within 3 s
// of the action. It returns the user it belongs to. Call with mu held.
func (p *Playground) takeTrigger(id string) (string, jsonObject) {
	t, ok := p.st.triggers[id]
	switch {
	case id == "" || !ok:
		return "", fail("invalid_trigger_id")
	case time.Since(t.at) > triggerTTL:
		return "", fail("expired_trigger_id")
	}
	return t.user, nil
}

func (p *Playground) viewsOpen(a apiArgs) jsonObject {
	view, errs := normalizeView(a.raw("view"), "modal")
	if len(errs) > 0 {
		return fail("invalid_arguments", errs...)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	user, bad := p.takeTrigger(a.str("trigger_id"))
	if bad != nil {
		return bad
	}
	v := p.newView(user, "modal", view, "")
	p.st.modals[user] = []*View{v}
	p.st.bump()
	return p.viewAnswer(v)
}

func (p *Playground) viewsPush(a apiArgs) jsonObject {
	view, errs := normalizeView(a.raw("view"), "modal")
	if len(errs) > 0 {
		return fail("invalid_arguments", errs...)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	user, bad := p.takeTrigger(a.str("trigger_id"))
	if bad != nil {
		return bad
	}
	stack := p.st.modals[user]
	switch {
	case len(stack) == 0:
		return fail("not_found")
	case len(stack) >= 3:
		return fail("push_limit_reached")
	}
	v := p.newView(user, "modal", view, stack[0].ID)
	p.st.modals[user] = append(stack, v)
	p.st.bump()
	return p.viewAnswer(v)
}

func (p *Playground) viewsUpdate(a apiArgs) jsonObject {
	p.mu.Lock()
	defer p.mu.Unlock()
	var v *View
	switch {
	case a.str("view_id") != "":
		v = p.st.findView(a.str("view_id"))
	case a.str("external_id") != "":
		v = p.st.findViewByExternalID(a.str("external_id"))
	default:
		return fail("invalid_arguments", "view_id or external_id is required")
	}
	if v == nil {
		return fail("not_found")
	}
	if h := a.str("hash"); h != "" && h != v.Hash {
		return fail("hash_conflict")
	}
	view, errs := normalizeView(a.raw("view"), v.Type)
	if len(errs) > 0 {
		return fail("invalid_arguments", errs...)
	}
	p.replaceView(v, view)
	p.st.bump()
	return p.viewAnswer(v)
}

func (p *Playground) viewsPublish(a apiArgs) jsonObject {
	user := a.str("user_id")
	if _, ok := p.userByID(user); !ok {
		return fail("user_not_found")
	}
	view, errs := normalizeView(a.raw("view"), "home")
	if len(errs) > 0 {
		return fail("invalid_arguments", errs...)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.st.homes[user]
	if h := a.str("hash"); ok && h != "" && h != v.Hash {
		return fail("hash_conflict")
	}
	if ok {
		p.replaceView(v, view)
	} else {
		v = p.newView(user, "home", view, "")
		p.st.homes[user] = v
	}
	p.st.bump()
	return p.viewAnswer(v)
}

// viewObject is a view as Slack puts it in payloads. Call with mu held.
func (p *Playground) viewObject(v *View, body jsonObject, values map[string]map[string]string) jsonObject {
	str := func(k string) any {
		if s, ok := body[k].(string); ok {
			return s
		}
		return ""
	}
	out := jsonObject{
		"id":                    v.ID,
		"team_id":               p.cfg.TeamID,
		"type":                  v.Type,
		"blocks":                body["blocks"],
		"private_metadata":      str("private_metadata"),
		"callback_id":           str("callback_id"),
		"state":                 jsonObject{"values": stateValues(body, values)},
		"hash":                  v.Hash,
		"clear_on_close":        body["clear_on_close"] == true,
		"notify_on_close":       body["notify_on_close"] == true,
		"root_view_id":          v.RootViewID,
		"previous_view_id":      nil,
		"app_id":                AppID,
		"external_id":           str("external_id"),
		"app_installed_team_id": p.cfg.TeamID,
		"bot_id":                BotID,
	}
	for _, k := range []string{"title", "close", "submit"} {
		if body[k] != nil {
			out[k] = body[k]
		}
	}
	return out
}

// inputs lists the input blocks of a view that hold a plain_text_input
// or a datepicker.
func inputs(body jsonObject, fn func(blockID, actionID string, block, el jsonObject)) {
	blocks, _ := body["blocks"].([]any)
	for _, b := range blocks {
		blk, _ := b.(jsonObject)
		if blk["type"] != "input" {
			continue
		}
		el, _ := blk["element"].(jsonObject)
		if el["type"] != "plain_text_input" && el["type"] != "datepicker" {
			continue
		}
		bid, _ := blk["block_id"].(string)
		aid, _ := el["action_id"].(string)
		fn(bid, aid, blk, el)
	}
}

// stateValues is a view's state.values for the given input values.
func stateValues(body jsonObject, values map[string]map[string]string) jsonObject {
	out := jsonObject{}
	inputs(body, func(bid, aid string, _, el jsonObject) {
		var val any // Slack sends null for an empty field
		if s := values[bid][aid]; s != "" {
			val = s
		}
		if el["type"] == "datepicker" {
			out[bid] = jsonObject{aid: jsonObject{"type": "datepicker", "selected_date": val}}
			return
		}
		out[bid] = jsonObject{aid: jsonObject{"type": "plain_text_input", "value": val}}
	})
	return out
}

// checkInputs does what Slack's client does before it sends a submission:
// required fields and length limits.
func checkInputs(body jsonObject, values map[string]map[string]string) map[string]string {
	errs := map[string]string{}
	inputs(body, func(bid, aid string, blk, el jsonObject) {
		s := strings.TrimSpace(values[bid][aid])
		n := utf8.RuneCountInString(s)
		limit := func(k string) int64 {
			num, _ := el[k].(json.Number)
			i, _ := num.Int64()
			return i
		}
		switch {
		case s == "" && blk["optional"] != true:
			errs[bid] = "Please fill out this field."
		case el["type"] == "datepicker" && s != "" && !isDate(s):
			errs[bid] = "Please pick a date." // the client's picker sends nothing else
		case s != "" && limit("min_length") > 0 && int64(n) < limit("min_length"):
			errs[bid] = fmt.Sprintf("Please enter at least %d characters.", limit("min_length"))
		case limit("max_length") > 0 && int64(n) > limit("max_length"):
			errs[bid] = fmt.Sprintf("Please enter no more than %d characters.", limit("max_length"))
		}
	})
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func (p *Playground) setViewErrors(viewID string, errs map[string]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v := p.st.findView(viewID); v != nil {
		v.Errors = errs
		p.st.bump()
	}
}

// popModal closes the user's top modal. Call with mu held.
func (p *Playground) popModal(user string) {
	stack := p.st.modals[user]
	if len(stack) <= 1 {
		delete(p.st.modals, user)
		return
	}
	p.st.modals[user] = stack[:len(stack)-1]
}

// newView stores nothing; it builds a View for a normalized body. Call with mu held.
func (p *Playground) newView(user, typ string, body jsonObject, rootID string) *View {
	id := p.st.nextID("V")
	if rootID == "" {
		rootID = id
	}
	ext, _ := body["external_id"].(string)
	return &View{ID: id, Type: typ, User: user, Hash: p.st.newHash(time.Now()), RootViewID: rootID, ExternalID: ext, Body: encodeJSON(body)}
}

// replaceView gives v a new body, keeping its ID. Call with mu held.
func (p *Playground) replaceView(v *View, body jsonObject) {
	v.Body = encodeJSON(body)
	v.Hash = p.st.newHash(time.Now())
	v.Errors = nil
	if ext, ok := body["external_id"].(string); ok {
		v.ExternalID = ext
	}
}

func viewTitle(body jsonObject) string {
	if t, ok := body["title"].(jsonObject); ok {
		if s, ok := t["text"].(string); ok {
			return s
		}
	}
	return "the view"
}

// isDate reports whether s is a real date written YYYY-MM-DD, as Slack
// requires of a datepicker's dates.
func isDate(s string) bool {
	d, err := time.Parse(time.DateOnly, s)
	return err == nil && d.Format(time.DateOnly) == s
}
