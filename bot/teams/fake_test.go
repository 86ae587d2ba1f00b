package teams

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// keys are generated once: RSA generation is slow and every test signs.
var (
	keysOnce sync.Once
	keyA     *rsa.PrivateKey
	keyB     *rsa.PrivateKey
)

func testKeys() (*rsa.PrivateKey, *rsa.PrivateKey) {
	keysOnce.Do(func() {
		keyA, _ = rsa.GenerateKey(rand.Reader, 2048)
		keyB, _ = rsa.GenerateKey(rand.Reader, 2048)
	})
	return keyA, keyB
}

// signJWT makes an RS256 token the way the Bot Framework does.
func signJWT(t testing.TB, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
	c, _ := json.Marshal(claims)
	signed := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func jwkOf(kid string, pub *rsa.PublicKey, endorsements ...string) map[string]any {
	return map[string]any{"kty": "RSA", "use": "sig", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()), "endorsements": endorsements}
}

// call is one request the fake Bot Framework received.
type call struct {
	Method, Path string
	Query        string
	ID           string // the activity id the connector answered
	Auth         string
	Form         url.Values
	Activity     Activity
	Card         Card // the first attachment's card, if any
	Raw          []byte
}

// fakeBF plays every Microsoft endpoint the adapter talks to: OpenID
// metadata and keys, the Entra token endpoint and the connector. It
// records every call and answers failures on demand.
type fakeBF struct {
	*httptest.Server
	mu    sync.Mutex
	calls []call
	jwks  []map[string]any
	fail  []int // statuses for the next connector calls
	// lose: statuses for the next posts that are stored (given an id,
	// so they are in the conversation) yet answered with the status, as
	// when the connector times out after accepting a post.
	lose  []int
	group string // the aadGroupId the team details name
	retry string
	code  string
	ids   int

	// convFail: statuses for the next conversation creations (0: hang
	// until the caller gives up).
	convFail []int
}

func newFakeBF(t testing.TB) *fakeBF {
	a, _ := testKeys()
	f := &fakeBF{jwks: []map[string]any{jwkOf("key-a", &a.PublicKey, "msteams")}, group: "aad-group-1"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /openid", func(w http.ResponseWriter, r *http.Request) {
		f.record(r, nil)
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": BotFrameworkIssuer, "jwks_uri": f.URL + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		f.record(r, nil)
		f.mu.Lock()
		defer f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": f.jwks})
	})
	mux.HandleFunc("POST /token/{tenant}", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.record(r, nil)
		_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": "bot-token-1"})
	})
	mux.HandleFunc("GET /v3/teams/{team}", func(w http.ResponseWriter, r *http.Request) {
		f.record(r, nil)
		f.mu.Lock()
		group := f.group
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]string{"id": r.PathValue("team"), "name": "Compliance", "aadGroupId": group})
	})
	mux.HandleFunc("POST /v3/conversations", f.createConversation)
	mux.HandleFunc("/v3/conversations/{conv}/activities", f.connector)
	mux.HandleFunc("/v3/conversations/{conv}/activities/{id}", f.connector)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeBF) record(r *http.Request, body []byte) { f.recordID(r, body, "") }

func (f *fakeBF) recordID(r *http.Request, body []byte, id string) {
	c := call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, ID: id, Auth: r.Header.Get("Authorization"), Form: r.PostForm, Raw: body}
	if body != nil {
		_ = json.Unmarshal(body, &c.Activity)
		var raw struct {
			Attachments []struct {
				Content json.RawMessage `json:"content"`
			} `json:"attachments"`
		}
		if json.Unmarshal(body, &raw) == nil && len(raw.Attachments) > 0 {
			_ = json.Unmarshal(raw.Attachments[0].Content, &c.Card)
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

// connector records an activity and answers like the Bot Connector.
func (f *fakeBF) connector(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	status, id, lost := 0, r.PathValue("id"), 0
	if len(f.fail) > 0 {
		status, f.fail = f.fail[0], f.fail[1:]
	} else if r.Method == http.MethodPost {
		f.ids++
		id = fmt.Sprintf("act-%d", f.ids)
		if len(f.lose) > 0 {
			lost, f.lose = f.lose[0], f.lose[1:]
		}
	}
	retry, code := f.retry, f.code
	f.mu.Unlock()
	if lost != 0 {
		f.recordID(r, body, id)
		w.WriteHeader(lost)
		return
	}
	if status != 0 {
		f.recordID(r, body, "")
		if retry != "" {
			w.Header().Set("Retry-After", retry)
		}
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"error":{"code":%q,"message":"test"}}`, code)
		return
	}
	f.recordID(r, body, id)
	_ = json.NewEncoder(w).Encode(map[string]string{"id": id})
}

// loseNext makes the next posts land but answer statuses.
func (f *fakeBF) loseNext(statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lose = append(f.lose, statuses...)
}

// failNext makes the next connector calls answer status (with a code).
func (f *fakeBF) failNext(code string, statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail, f.code = append(f.fail, statuses...), code
}

// Calls returns the calls whose method and path prefix match.
func (f *fakeBF) Calls(method, pathPrefix string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if (method == "" || c.Method == method) && strings.HasPrefix(c.Path, pathPrefix) {
			out = append(out, c)
		}
	}
	return out
}

// connectorCalls are the activities sent to the connector, in order.
func (f *fakeBF) connectorCalls() []call { return f.Calls("", "/v3/") }

func (f *fakeBF) setKeys(keys ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jwks = keys
}

// channelToken is a valid token for an activity from the connector at
// serviceURL to app.
func channelToken(t testing.TB, app, serviceURL string) string {
	a, _ := testKeys()
	now := time.Now()
	return signJWT(t, a, "key-a", map[string]any{"iss": BotFrameworkIssuer, "aud": app, "serviceurl": serviceURL,
		"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()})
}
