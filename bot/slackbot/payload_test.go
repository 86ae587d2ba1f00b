package slackbot

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// usedFields is everything the adapter reads from an interaction.
func usedFields(ic *slack.InteractionCallback) map[string]any {
	var actions []slack.BlockAction
	for _, a := range ic.ActionCallback.BlockActions {
		actions = append(actions, slack.BlockAction{BlockID: a.BlockID, ActionID: a.ActionID, Value: a.Value})
	}
	return map[string]any{
		"type": ic.Type, "response_url": ic.ResponseURL, "trigger_id": ic.TriggerID,
		"team": ic.Team.ID, "enterprise": ic.Enterprise.ID, "channel": ic.Channel.ID, "user": ic.User.ID, "user_name": ic.User.Name, "container": ic.Container.ChannelID,
		"actions": actions, "view.type": ic.View.Type, "view.callback_id": ic.View.CallbackID,
		"view.private_metadata": ic.View.PrivateMetadata, "view.state": ic.View.State,
	}
}

// payloadSeeds are interaction payloads as Slack sends them, trimmed.
var payloadSeeds = []string{
	`{"type":"block_actions","team":{"id":"T0GRIDWS"},"enterprise":{"id":"E0GRID","name":"Grid Co"},"is_enterprise_install":true,"user":{"id":"U1"},"channel":{"id":"C1"},"response_url":"https://hooks.slack.com/actions/T/1/x","actions":[{"block_id":"b","action_id":"cais_a0","value":"v"}]}`,
	`{"type":"block_actions","team":{"id":"T0FIRM","domain":"acme"},"user":{"id":"U1","username":"ann","name":"ann","team_id":"T0FIRM"},"api_app_id":"A1","token":"x","container":{"type":"message","message_ts":"1.2","channel_id":"C1","is_ephemeral":true},"trigger_id":"1.2.abc","channel":{"id":"C1","name":"compliance"},"response_url":"https://hooks.slack.com/actions/T/1/x","actions":[{"type":"button","block_id":"cais_actions","action_id":"cais_a0","text":{"type":"plain_text","text":"Yes","emoji":true},"value":"c1|choose|obligation|yes|0","style":"primary","action_ts":"1.3"}],"state":{"values":{}}}`,
	`{"type":"block_actions","team":{"id":"T0FIRM"},"user":{"id":"U1"},"view":{"id":"V1","type":"home","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*x*"}}]},"actions":[{"type":"button","block_id":"b","action_id":"cais_a","value":"c1|open|||0"}]}`,
	`{"type":"view_submission","team":{"id":"T0FIRM"},"user":{"id":"U1"},"view":{"id":"V2","type":"modal","callback_id":"cais_form","private_metadata":"{\"t\":\"c1|choose|method|agent|3\",\"c\":\"C1\"}","blocks":[{"type":"input","block_id":"agents","label":{"type":"plain_text","text":"Agents"},"element":{"type":"plain_text_input","action_id":"agents","multiline":true}}],"state":{"values":{"agents":{"agents":{"type":"plain_text_input","value":"Acme\nBeta"}}}}}}`,
	`{"type":"block_actions","actions":[{"type":"button","action_id":"cais_a","value":"no block id"}]}`,
	`{"type":"shortcut"}`, `{}`, `null`, `{"type":"block_actions","actions":[{"type":"button"}]}`,
	// escapes and a byte that is not UTF-8 (decoded as U+FFFD) in an action
	"{\"type\":\"block_actions\",\"actions\":[{\"block_id\":\"b\\u00e9\",\"action_id\":\"a\\\"q\\/\",\"value\":\"v\xff1\"},{\"block_id\":\"\",\"action_id\":\"\",\"value\":\"\u2028\"}]}",
}

func TestDecodeInteractionMatchesSlackGo(t *testing.T) {
	for _, s := range payloadSeeds {
		checkDecode(t, s)
	}
}

// FuzzDecodeInteraction: whatever slack-go decodes, the lean decoder
// decodes too, to the same values in every field the adapter reads.
func FuzzDecodeInteraction(f *testing.F) {
	for _, s := range payloadSeeds {
		f.Add(s)
	}
	f.Fuzz(checkDecode)
}

func checkDecode(t *testing.T, payload string) {
	var want slack.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &want); err != nil {
		return // slack-go refuses it; the lean decoder may be laxer about fields it never reads
	}
	// encoding/json matches struct fields case-insensitively, slack-go's
	// block_id check does not: Slack never sends "Block_ID", so payloads
	// that do are not compared.
	if strings.Count(strings.ToLower(payload), "block_id") != strings.Count(payload, "block_id") {
		return
	}
	got, err := decodeInteraction([]byte(payload))
	if err != nil {
		t.Fatalf("slack-go decodes %q but the lean decoder says %v", payload, err)
	}
	if g, w := usedFields(got), usedFields(&want); !reflect.DeepEqual(g, w) {
		t.Fatalf("payload %q\ndecoded %#v\nslack-go %#v", payload, g, w)
	}
}
