package slackbot

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// interactionPayload is the part of an interaction payload the bot reads.
// Slack sends much more (the whole message or view with its blocks), and
// decoding all of it into slack.InteractionCallback was a tenth of a
// click; the fields kept here decode exactly as slack-go decodes them
// (FuzzDecodeInteraction holds the two to that).
type interactionPayload struct {
	Type        slack.InteractionType `json:"type"`
	ResponseURL string                `json:"response_url"`
	TriggerID   string                `json:"trigger_id"`
	Team        struct {
		ID string `json:"id"`
	} `json:"team"`
	Enterprise struct {
		ID string `json:"id"`
	} `json:"enterprise"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	User struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"user"`
	Container struct {
		ChannelID string `json:"channel_id"`
	} `json:"container"`
	Actions []struct {
		// slack-go counts an action as a block action only when its
		// block_id is a string, and only then reads the other two.
		BlockID  json.RawMessage `json:"block_id"`
		ActionID json.RawMessage `json:"action_id"`
		Value    json.RawMessage `json:"value"`
	} `json:"actions"`
	View struct {
		Type            slack.ViewType   `json:"type"`
		CallbackID      string           `json:"callback_id"`
		PrivateMetadata string           `json:"private_metadata"`
		State           *slack.ViewState `json:"state"`
	} `json:"view"`
}

// decodeInteraction decodes what the bot uses of an interaction payload
// into slack-go's type, which the rest of the adapter (and Socket Mode)
// works with.
func decodeInteraction(b []byte) (*slack.InteractionCallback, error) {
	var p interactionPayload
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	ic := &slack.InteractionCallback{Type: p.Type, ResponseURL: p.ResponseURL, TriggerID: p.TriggerID}
	ic.Team.ID, ic.Channel.ID, ic.User.ID, ic.User.Name = p.Team.ID, p.Channel.ID, p.User.ID, p.User.Name
	ic.Container.ChannelID = p.Container.ChannelID
	ic.Enterprise.ID = p.Enterprise.ID
	for _, a := range p.Actions {
		if len(a.BlockID) == 0 || a.BlockID[0] != '"' {
			continue
		}
		var ba slack.BlockAction
		if err := unmarshalStrings(&ba.BlockID, a.BlockID, &ba.ActionID, a.ActionID, &ba.Value, a.Value); err != nil {
			return nil, err
		}
		ic.ActionCallback.BlockActions = append(ic.ActionCallback.BlockActions, &ba)
	}
	ic.View.Type, ic.View.CallbackID, ic.View.PrivateMetadata = p.View.Type, p.View.CallbackID, p.View.PrivateMetadata
	ic.View.State = p.View.State
	return ic, nil
}

// unmarshalStrings decodes pairs of (destination, raw JSON); absent raw
// values leave their destination empty.
func unmarshalStrings(pairs ...any) error {
	for i := 0; i < len(pairs); i += 2 {
		raw, dst := pairs[i+1].(json.RawMessage), pairs[i].(*string)
		if len(raw) == 0 {
			continue
		}
		if s, ok := plainString(raw); ok {
			*dst = s
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return err
		}
	}
	return nil
}

// plainString is a JSON string with nothing to unescape or replace, as
// button ids and values are: its bytes between the quotes. raw comes from
// a payload json.Unmarshal has checked, so such a string holds no quote
// and no control character. A json.Unmarshal per field was a tenth of the
// payload's decoding.
func plainString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	in := raw[1 : len(raw)-1]
	if bytes.IndexByte(in, '\\') >= 0 || !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}
