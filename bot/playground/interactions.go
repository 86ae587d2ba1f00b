package playground

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNotFound is returned when a message, view or element is not (or no
// longer) where the caller says.
var ErrNotFound = errors.New("playground: not found")

// actionTS is a Slack action_ts ("1700000000.123456").
func actionTS(now time.Time) string {
	return fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)
}

// actionObject is one entry of a block_actions payload's "actions".
func actionObject(blockID string, el jsonObject, now time.Time) jsonObject {
	a := jsonObject{
		"type":      el["type"],
		"action_id": el["action_id"],
		"block_id":  blockID,
		"action_ts": actionTS(now),
	}
	for _, k := range []string{"text", "value", "style"} {
		if v, ok := el[k]; ok {
			a[k] = v
		}
	}
	return a
}

// ClickMessage clicks the element actionID of block blockID in the message
// ts, as the user; with an empty blockID, the first element with that
// action_id. Confirm dialogs are the page's business: this sends the click.
func (p *Playground) ClickMessage(ctx context.Context, userID, ts, blockID, actionID string) error {
	u, err := p.knownUser(userID)
	if err != nil {
		return err
	}
	now := time.Now()
	p.mu.Lock()
	m := p.st.message(p.cfg.ChannelID, ts)
	if m == nil || (m.Ephemeral && m.VisibleTo != u.ID) {
		p.mu.Unlock()
		return fmt.Errorf("%w: message %s", ErrNotFound, ts)
	}
	var el jsonObject
	var ok bool
	if blockID == "" {
		blockID, el, ok = firstElement(m.Blocks, actionID)
	} else {
		el, ok = findElement(m.Blocks, blockID, actionID)
	}
	if !ok {
		p.mu.Unlock()
		return fmt.Errorf("%w: action %q in message %s", ErrNotFound, actionID, ts)
	}
	respID := p.st.newResponseURL(&responseTarget{user: u.ID, channel: m.Channel, ts: m.TS, created: now})
	trig := p.st.newTrigger(u.ID, now)
	payload := jsonObject{
		"type":                  "block_actions",
		"token":                 "playground-verification-token",
		"api_app_id":            AppID,
		"user":                  p.userObject(u),
		"team":                  p.teamObject(),
		"enterprise":            nil,
		"is_enterprise_install": false,
		"channel":               jsonObject{"id": m.Channel, "name": p.cfg.ChannelName},
		"container": jsonObject{
			"type":         "message",
			"message_ts":   m.TS,
			"channel_id":   m.Channel,
			"is_ephemeral": m.Ephemeral,
		},
		"trigger_id":   trig,
		"response_url": p.cfg.BaseURL + "/playground/response/" + respID,
		"state":        jsonObject{"values": jsonObject{}},
		"actions":      []any{actionObject(blockID, el, now)},
	}
	if !m.Ephemeral {
		payload["message"] = p.messageObject(m, false)
	}
	p.mu.Unlock()

	name := "click " + buttonLabel(el)
	r := p.deliver(ctx, name, "application/x-www-form-urlencoded", payloadForm(payload))
	return p.checkReply(u.ID, "The click on "+strconv.Quote(buttonLabel(el)), r)
}

// ClickView clicks an element in the user's open modal or Home tab.
// values are the modal's current input values (block_id → action_id → text).
func (p *Playground) ClickView(ctx context.Context, userID, viewID, blockID, actionID string, values map[string]map[string]string) error {
	u, err := p.knownUser(userID)
	if err != nil {
		return err
	}
	now := time.Now()
	p.mu.Lock()
	v := p.st.findView(viewID)
	if v == nil || v.User != u.ID {
		p.mu.Unlock()
		return fmt.Errorf("%w: view %s", ErrNotFound, viewID)
	}
	var body jsonObject
	_ = decodeJSON(v.Body, &body)
	blocks := encodeJSON(body["blocks"])
	var el jsonObject
	var ok bool
	if blockID == "" {
		blockID, el, ok = firstElement(blocks, actionID)
	} else {
		el, ok = findElement(blocks, blockID, actionID)
	}
	if !ok {
		p.mu.Unlock()
		return fmt.Errorf("%w: action %q in view %s", ErrNotFound, actionID, viewID)
	}
	trig := p.st.newTrigger(u.ID, now)
	payload := jsonObject{
		"type":                  "block_actions",
		"token":                 "playground-verification-token",
		"api_app_id":            AppID,
		"user":                  p.userObject(u),
		"team":                  p.teamObject(),
		"enterprise":            nil,
		"is_enterprise_install": false,
		"container":             jsonObject{"type": "view", "view_id": v.ID},
		"trigger_id":            trig,
		"view":                  p.viewObject(v, body, values),
		"actions":               []any{actionObject(blockID, el, now)},
	}
	p.mu.Unlock()

	r := p.deliver(ctx, "click "+buttonLabel(el), "application/x-www-form-urlencoded", payloadForm(payload))
	return p.checkReply(u.ID, "The click on "+strconv.Quote(buttonLabel(el)), r)
}

// SubmitResult is what became of a modal submission.
type SubmitResult struct {
	Closed bool              // the modal (or the whole stack) closed
	Errors map[string]string // errors shown on the fields, by block_id
}

// Submit submits the user's top modal with the input values
// (block_id → action_id → text) and applies the bot's response_action.
func (p *Playground) Submit(ctx context.Context, userID, viewID string, values map[string]map[string]string) (SubmitResult, error) {
	u, err := p.knownUser(userID)
	if err != nil {
		return SubmitResult{}, err
	}
	p.mu.Lock()
	stack := p.st.modals[u.ID]
	if len(stack) == 0 || stack[len(stack)-1].ID != viewID {
		p.mu.Unlock()
		return SubmitResult{}, fmt.Errorf("%w: open modal %s", ErrNotFound, viewID)
	}
	v := stack[len(stack)-1]
	var body jsonObject
	_ = decodeJSON(v.Body, &body)
	// Slack checks required fields and lengths in the client, before sending.
	if errs := checkInputs(body, values); len(errs) > 0 {
		v.Errors = errs
		p.st.bump()
		p.mu.Unlock()
		return SubmitResult{Errors: errs}, nil
	}
	payload := jsonObject{
		"type":                  "view_submission",
		"token":                 "playground-verification-token",
		"api_app_id":            AppID,
		"user":                  p.userObject(u),
		"team":                  p.teamObject(),
		"enterprise":            nil,
		"is_enterprise_install": false,
		"trigger_id":            p.st.newTrigger(u.ID, time.Now()),
		"view":                  p.viewObject(v, body, values),
		"response_urls":         []any{},
	}
	p.mu.Unlock()

	title := viewTitle(body)
	r := p.deliver(ctx, "submit "+title, "application/x-www-form-urlencoded", payloadForm(payload))
	if r.took > slackDeadline {
		p.systemNote(u.ID, fmt.Sprintf("The bot took %.1f s to answer the submission of %q. Slack gives up after 3 s.", r.took.Seconds(), title))
	}
	if r.status != 200 {
		p.setViewErrors(viewID, map[string]string{"": "We had some trouble connecting. Try again? (the bot answered HTTP " + strconv.Itoa(r.status) + ")"})
		return SubmitResult{Errors: map[string]string{"": "HTTP " + strconv.Itoa(r.status)}}, &BotError{Status: r.status, Body: string(r.body)}
	}
	return p.applyResponseAction(u.ID, viewID, bytes.TrimSpace(r.body))
}

// applyResponseAction applies a view_submission answer to the user's stack.
func (p *Playground) applyResponseAction(user, viewID string, body []byte) (SubmitResult, error) {
	var ra struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	if len(body) > 0 {
		if err := decodeJSON(body, &ra); err != nil {
			p.setViewErrors(viewID, map[string]string{"": "We had some trouble connecting. (the bot's answer is not JSON)"})
			return SubmitResult{}, fmt.Errorf("playground: view_submission answer is not JSON: %w", err)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.st.bump()
	stack := p.st.modals[user]
	if len(stack) == 0 || stack[len(stack)-1].ID != viewID {
		return SubmitResult{Closed: true}, nil // the bot closed or replaced it meanwhile
	}
	top := stack[len(stack)-1]
	switch ra.ResponseAction {
	case "":
		p.popModal(user)
		return SubmitResult{Closed: true}, nil
	case "clear":
		delete(p.st.modals, user)
		return SubmitResult{Closed: true}, nil
	case "errors":
		top.Errors = ra.Errors
		return SubmitResult{Errors: ra.Errors}, nil
	case "update", "push":
		view, errs := normalizeView(ra.View, "modal")
		if len(errs) > 0 {
			top.Errors = map[string]string{"": "Slack would refuse the bot's view: " + strings.Join(errs, "; ")}
			return SubmitResult{Errors: top.Errors}, fmt.Errorf("playground: invalid view in response_action %s: %s", ra.ResponseAction, strings.Join(errs, "; "))
		}
		if ra.ResponseAction == "update" {
			p.replaceView(top, view)
			return SubmitResult{}, nil
		}
		if len(stack) >= 3 {
			top.Errors = map[string]string{"": "Slack allows at most 3 stacked views (push_limit_reached)"}
			return SubmitResult{Errors: top.Errors}, nil
		}
		p.st.modals[user] = append(stack, p.newView(user, "modal", view, stack[0].ID))
		return SubmitResult{}, nil
	default:
		top.Errors = map[string]string{"": "Unknown response_action " + strconv.Quote(ra.ResponseAction)}
		return SubmitResult{Errors: top.Errors}, fmt.Errorf("playground: unknown response_action %q", ra.ResponseAction)
	}
}

// CloseModal closes the user's top modal as its Close button does, telling
// the bot (view_closed) when the view asked for notify_on_close.
func (p *Playground) CloseModal(ctx context.Context, userID, viewID string) error {
	u, err := p.knownUser(userID)
	if err != nil {
		return err
	}
	p.mu.Lock()
	stack := p.st.modals[u.ID]
	if len(stack) == 0 || stack[len(stack)-1].ID != viewID {
		p.mu.Unlock()
		return fmt.Errorf("%w: open modal %s", ErrNotFound, viewID)
	}
	v := stack[len(stack)-1]
	var body jsonObject
	_ = decodeJSON(v.Body, &body)
	cleared := body["clear_on_close"] == true
	if cleared {
		delete(p.st.modals, u.ID)
	} else {
		p.popModal(u.ID)
	}
	p.st.bump()
	var payload jsonObject
	if body["notify_on_close"] == true {
		payload = jsonObject{
			"type":       "view_closed",
			"token":      "playground-verification-token",
			"api_app_id": AppID,
			"user":       p.userObject(u),
			"team":       p.teamObject(),
			"view":       p.viewObject(v, body, nil),
			"is_cleared": cleared,
		}
	}
	p.mu.Unlock()
	if payload == nil {
		return nil
	}
	r := p.deliver(ctx, "close "+viewTitle(body), "application/x-www-form-urlencoded", payloadForm(payload))
	return p.checkReply(u.ID, "Closing "+strconv.Quote(viewTitle(body)), r)
}

// OpenHome opens the app's Home tab as the user: an app_home_opened event.
func (p *Playground) OpenHome(ctx context.Context, userID string) error {
	u, err := p.knownUser(userID)
	if err != nil {
		return err
	}
	now := time.Now()
	p.mu.Lock()
	event := jsonObject{
		"type":     "app_home_opened",
		"user":     u.ID,
		"channel":  dmChannel(u.ID),
		"tab":      "home",
		"event_ts": actionTS(now),
	}
	if v, ok := p.st.homes[u.ID]; ok {
		var body jsonObject
		_ = decodeJSON(v.Body, &body)
		event["view"] = p.viewObject(v, body, nil)
	}
	envelope := jsonObject{
		"token":      "playground-verification-token",
		"team_id":    p.cfg.TeamID,
		"api_app_id": AppID,
		"event":      event,
		"type":       "event_callback",
		"event_id":   "Ev" + p.st.nextID(""),
		"event_time": now.Unix(),
		"authorizations": []any{jsonObject{
			"enterprise_id": nil, "team_id": p.cfg.TeamID, "user_id": BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
	}
	p.mu.Unlock()
	r := p.deliver(ctx, "app_home_opened "+u.ID, "application/json", encodeJSON(envelope))
	return p.checkReply(u.ID, "Opening the Home tab", r)
}

// dmChannel is the ID of the user's direct-message channel with the app.
func dmChannel(userID string) string { return "D" + strings.TrimPrefix(userID, "U") }

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

// inputs lists the input blocks of a view that hold a plain_text_input.
func inputs(body jsonObject, fn func(blockID, actionID string, block, el jsonObject)) {
	blocks, _ := body["blocks"].([]any)
	for _, b := range blocks {
		blk, _ := b.(jsonObject)
		if blk["type"] != "input" {
			continue
		}
		el, _ := blk["element"].(jsonObject)
		if el["type"] != "plain_text_input" {
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
	inputs(body, func(bid, aid string, _, _ jsonObject) {
		var val any // Slack sends null for an empty field
		if s := values[bid][aid]; s != "" {
			val = s
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

func payloadForm(payload jsonObject) []byte {
	return []byte(url.Values{"payload": {string(encodeJSON(payload))}}.Encode())
}

func buttonLabel(el jsonObject) string {
	if t, ok := el["text"].(jsonObject); ok {
		if s, ok := t["text"].(string); ok {
			return s
		}
	}
	s, _ := el["action_id"].(string)
	return s
}

func viewTitle(body jsonObject) string {
	if t, ok := body["title"].(jsonObject); ok {
		if s, ok := t["text"].(string); ok {
			return s
		}
	}
	return "the view"
}
