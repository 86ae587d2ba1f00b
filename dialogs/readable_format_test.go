package dialogs

import (
	"testing"
	"time"
)

// The readable columns as this format words them. A packet names the
// format; caisbot verify-packet checks a packet's readable columns only
// in its own format. If this test fails because the wording changed on
// purpose, raise ReadableFormat and update the wants.
func TestReadableFormatPinned(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	at := time.Date(2026, 12, 7, 15, 0, 39, 0, time.UTC)
	for _, tc := range []struct {
		e       Entry
		heading string
		want    [3]string
	}{
		{Entry{At: at, Action: ActConfirm, Step: "method", Detail: `CAT Reporting Agent: ["Acme <Clearing>","Bureau, LLC"]`}, "Step 4: Determine",
			[3]string{"Dec 7, 2026 at 10:00 AM EST", "Step 4: Determine", "CAT Reporting Agent: “Acme <Clearing>”, “Bureau, LLC”"}},
		{Entry{At: at, Action: ActConfirm, Step: "method", Detail: `CAT Reporting Agent: ["Acme"]; ended the wait: waiting on X since 2026-12-01T15:00:00Z`}, "",
			[3]string{"Dec 7, 2026 at 10:00 AM EST", "", "CAT Reporting Agent: “Acme”; ended the wait: waiting on X since Dec 1, 2026 15:00 UTC"}},
		{Entry{At: at, Action: ActAgents, Detail: `now: ["Acme","New Co"]; back to: certify_agent_request`}, "",
			[3]string{"Dec 7, 2026 at 10:00 AM EST", "", "now: “Acme”, “New Co”; back to: certify_agent_request"}},
		{Entry{At: at, Action: ActSendBack, Detail: `=cmd: ["x"]`}, "-Step",
			[3]string{"Dec 7, 2026 at 10:00 AM EST", "'-Step", `'=cmd: ["x"]`}},
		{Entry{At: at, Action: ActUndo, Step: "register", Detail: "reopened Step 2 (was: Registration submitted, by U1 at 2026-12-07T14:00:00Z)"}, "",
			[3]string{"Dec 7, 2026 at 10:00 AM EST", "", "reopened Step 2 (was: Registration submitted, by U1 at Dec 7, 2026 14:00 UTC)"}},
		{Entry{At: at, Action: ActWait, Detail: "set: waiting on FINRA CAT (reference: HD-1), follow-up 2027-01-10"}, "",
			[3]string{"Dec 7, 2026 at 10:00 AM EST", "", "set: waiting on FINRA CAT (reference: HD-1), follow-up 2027-01-10"}},
		// Format 2: evidence and the profile, stored as JSON, are worded.
		{Entry{At: at, Action: ActEvidence, Step: "register", Detail: `{"ref":"HD-555 \u003cok\u003e \u0026 x","link":"https://a.example/t?x=1","note":"*email* _x_"}`}, "",
			[3]string{"Dec 7, 2026 at 10:00 AM EST", "", "reference HD-555 <ok> & x · link https://a.example/t?x=1 · note: *email* _x_"}},
		{Entry{At: at, Action: ActProfile, Detail: `{"name":"Société Générale \u0026 Fils","crd":"12345"}`}, "",
			[3]string{"Dec 7, 2026 at 10:00 AM EST", "", "Société Générale & Fils (CRD 12345)"}},
	} {
		if got := ExportReadable(tc.e, ny, tc.heading); got != tc.want {
			t.Errorf("readable format %d of %q:\n got %q\nwant %q", ReadableFormat, tc.e.Detail, got, tc.want)
		}
	}
}
