package slackbot

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"
)

// Each audit entry records the actor's name as Slack sent it: a slash
// command's user_name, a click's user.name.
func TestAuditEntriesNameTheActorAsSlackSentIt(t *testing.T) {
	r := newRig(t)
	card := r.slash("U1", "")
	btn := button(t, card, "Yes")
	p := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U1", "name": "ann.lee"}, "team": map[string]any{"id": team},
		"channel": map[string]any{"id": chanID}, "container": map[string]any{"type": "message", "channel_id": chanID, "is_ephemeral": true},
		"trigger_id": "trig-n1", "response_url": r.slack.ResponseURL("n1"),
		"actions": []map[string]any{{"type": "button", "action_id": btn.ActionID, "block_id": "cais_actions", "value": btn.Value, "action_ts": "1700000000.1"}},
	}
	b, _ := json.Marshal(p)
	resp := r.post(url.Values{"payload": {string(b)}}.Encode(), "application/x-www-form-urlencoded")
	resp.Body.Close()
	r.responded("n1")
	form := url.Values{"team_id": {team}, "channel_id": {chanID}, "user_id": {admin}, "user_name": {"bo.admin"}, "command": {"/cais-next"},
		"text": {"deadline 2 2027-01-15"}, "response_url": {r.slack.ResponseURL("n2")}, "trigger_id": {"trig-n2"}}
	resp = r.post(form.Encode(), "application/x-www-form-urlencoded")
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	es, err := r.store.Audit(context.Background(), slackFirm(team), 0, -1)
	if err != nil || len(es) != 2 {
		t.Fatalf("audit = %+v, %v; want 2 entries", es, err)
	}
	for i, want := range []string{"ann.lee", "bo.admin"} {
		if es[i].Name != want || es[i].Roadmap == "" {
			t.Errorf("entry %d names %q (roadmap %q); want %q and the roadmap", i+1, es[i].Name, es[i].Roadmap, want)
		}
	}
	if v := text(r.slash("U1", "verify")); !strings.Contains(v, "All 2 entries are intact") {
		t.Errorf("verify: %s", v)
	}
}
