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
