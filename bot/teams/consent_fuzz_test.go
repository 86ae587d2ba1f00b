package teams

import "testing"

// Whatever Teams (or an attacker with a valid token) sends as a file
// consent, the parse never panics, admits only accept and decline, and
// never passes on an offer id of another shape (ids become Redis keys).
func FuzzParseConsent(f *testing.F) {
	f.Add([]byte(`{"type":"fileUpload","action":"accept","context":{"offer":"0123456789abcdef0123456789abcdef"},"uploadInfo":{"uploadUrl":"https://x/y"}}`))
	f.Add([]byte(`{"action":"decline","context":{"offer":"../../etc"}}`))
	f.Add([]byte(`{"action":"accept","context":"not an object"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, valid := parseConsent(raw)
		if !valid {
			return
		}
		if v.Action != "accept" && v.Action != "decline" {
			t.Fatalf("valid with action %q", v.Action)
		}
		if v.Context.Offer != "" && !offerID.MatchString(v.Context.Offer) {
			t.Fatalf("offer id %q passed on", v.Context.Offer)
		}
	})
}
