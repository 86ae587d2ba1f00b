package slackbot

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/packet"
)

// /cais-next packet, typed in Slack, uploads one zip named after the
// workspace that verify-packet accepts; the same signed request replayed
// within Slack's five minutes uploads nothing more.
func TestPacketCommandUploadsOnceAVerifiablePacket(t *testing.T) {
	r := newRig(t)
	r.h.cfg.Service.Packager = packet.Packager{}
	card := r.click(r.slash("U1", ""), "Yes", "U1")
	r.click(card, "Registration submitted", "U2")
	body := url.Values{"team_id": {team}, "team_domain": {"acme-securities"}, "channel_id": {chanID}, "channel_name": {"cais"},
		"user_id": {"U1"}, "user_name": {"ann"}, "command": {"/cais-next"}, "text": {"packet"},
		"response_url": {r.slack.ResponseURL("packet")}, "trigger_id": {"trig-packet"}}.Encode()
	ts := time.Now()
	st1, first := r.postAt(body, ts)
	st2, _ := r.postAt(body, ts)
	if st1 != 200 || st2 != 200 || !strings.Contains(first, "Exam packet") {
		t.Fatalf("statuses %d, %d; answer %s", st1, st2, first)
	}
	r.h.Wait()
	ups := r.slack.Calls("upload")
	if len(ups) != 1 {
		t.Fatalf("%d uploads after a command and its replay; want 1", len(ups))
	}
	zipped, name := uploadedBytes(t, ups[0])
	day := r.h.cfg.Service.Now().In(r.h.cfg.Service.Flow.Loc).Format(time.DateOnly)
	if !strings.HasPrefix(name, "cais-exam-packet-acme-securities-") || !strings.HasSuffix(name, ".zip") || len(name) < len("cais-exam-packet-acme-securities-"+day+".zip") {
		t.Errorf("packet named %q; want it named after the workspace", name)
	}
	summary, err := packet.VerifyBytes(name, zipped)
	if err != nil {
		t.Fatalf("verify-packet refuses the uploaded packet: %v", err)
	}
	if !strings.Contains(summary, "2 audit entries") {
		t.Errorf("verify-packet summary %q; want the two entries", summary)
	}
}
