package slackbot

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/firm"
)

// BenchmarkFirmsSlash500 is `/cais-next firms` end to end for a workspace
// of 500 firms: the signed request, the roles and firms reads, 500 firms
// loaded in one pipeline, the reply rendered as Block Kit; the CSV's DM
// upload runs after the answer (waited for outside the timing). Set
// REDIS_URL for a real Redis.
func BenchmarkFirmsSlash500(b *testing.B) {
	r := newConsoleRig(b)
	for i := range 500 {
		seedFirm(b, r.store, firm.ID{Platform: firm.Slack, Workspace: teamOne, Channel: fmt.Sprintf("C%04d", i)}, i)
	}
	n := 0
	for b.Loop() {
		n++
		form := url.Values{"team_id": {teamOne}, "channel_id": {"C0001"}, "user_id": {instOne}, "command": {"/cais-next"},
			"text": {"firms"}, "response_url": {r.slack.ResponseURL("cmd")}, "trigger_id": {fmt.Sprintf("trig-bench-%d", n)}}
		resp := r.post(form.Encode(), "application/x-www-form-urlencoded")
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "500 firms") {
			b.Fatalf("answer: %.300s", body)
		}
		b.StopTimer()
		r.h.Wait()
		b.StartTimer()
	}
}
