package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzParseJWT feeds arbitrary bearer tokens to the parser and the
// checks the verifier makes: nothing panics, and a token verifies under
// the signing key only if its signed part is exactly one the key signed
// (re-encoding the signature is harmless; changing a claim is not).
func FuzzParseJWT(f *testing.F) {
	key, _ := testKeys()
	signed := map[string]bool{}
	now := time.Unix(1_800_000_000, 0)
	for _, claims := range []map[string]any{
		{"iss": BotFrameworkIssuer, "aud": testApp, "serviceurl": "https://smba.trafficmanager.net/amer/", "exp": now.Add(time.Hour).Unix()},
		{"iss": BotFrameworkIssuer, "aud": []string{"other", testApp}, "serviceUrl": "https://x/", "exp": 1e300, "nbf": -1e300},
	} {
		tok := signJWT(f, key, "key-a", claims)
		signed[tok[:strings.LastIndexByte(tok, '.')]] = true
		f.Add(tok)
	}
	for _, s := range []string{"", ".", "..", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "e30.e30.e30", "W10.W10.", "bnVsbA.bnVsbA.AA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := parseJWT(raw)
		if err != nil {
			return
		}
		_ = tok.checkClaims(BotFrameworkIssuer, testApp, "https://x/", now, 5*time.Minute)
		if tok.verifySignature(&key.PublicKey) == nil && !signed[string(tok.signed)] {
			t.Fatalf("token %q verifies but its signed part was never signed", raw)
		}
	})
}

// FuzzActivity feeds arbitrary activity bodies, as authenticated (the
// service URL is the one the token vouches for), to the dispatcher:
// nothing panics, nothing answers 5xx, and a body that does not decode
// to an activity is refused with 400.
func FuzzActivity(f *testing.F) {
	r := newRig(f)
	for _, a := range fuzzSeeds(r) {
		f.Add(a)
	}
	for _, s := range []string{`{}`, `[]`, `null`, `{"type":"message"}`, `{"type":"message","value":{"cais":1}}`,
		`{"type":"invoke","name":"adaptiveCard/action","value":{"action":{"data":"x"}}}`, `{"type":"conversationUpdate","membersAdded":[{}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var a Activity
		if err := json.Unmarshal(body, &a); err != nil || a.Type == "" {
			if st := r.raw(t, body); st != http.StatusBadRequest && st != http.StatusUnauthorized {
				t.Fatalf("status %d for a body that is no activity: %q", st, body)
			}
			return
		}
		if a.ServiceURL != "" {
			a.ServiceURL = r.bf.URL + "/" // the URL the token vouches for
		}
		ans := r.h.dispatch(context.Background(), &a)
		r.h.Wait()
		if ans.status >= 500 {
			t.Fatalf("status %d for %q", ans.status, body)
		}
	})
}

// fuzzSeeds are real activities: a command, a card click and a form.
func fuzzSeeds(r *rig) [][]byte {
	msg := r.activity(person("Alice"), typeMessage)
	msg.Text = "<at>caisbot</at> next"
	click := r.activity(person("Alice"), typeMessage)
	click.Value = json.RawMessage(`{"cais":"c1|choose|obligation|yes|0"}`)
	form := r.activity(person("Alice"), typeMessage)
	form.Value = json.RawMessage(`{"cais":"c1|wait|obligation||0","f_who":"FINRA CAT","f_follow_up":"2027-02-30"}`)
	invoke := r.activity(person("Alice"), typeInvoke)
	invoke.Name = "adaptiveCard/action"
	invoke.Value = json.RawMessage(`{"action":{"type":"Action.Execute","data":{"cais":"c1|open|||0"}}}`)
	var out [][]byte
	for _, a := range []*Activity{msg, click, form, invoke} {
		out = append(out, mustJSON(a))
	}
	return out
}

// raw posts body as it is, with a valid channel token.
func (r *rig) raw(t *testing.T, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/api/messages", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+channelToken(t, testApp, r.bf.URL+"/"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r.h.Wait()
	return resp.StatusCode
}
