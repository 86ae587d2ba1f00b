package teams

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

const (
	testApp = "11111111-2222-3333-4444-555555555555"
	testSvc = "https://smba.trafficmanager.net/amer/"
)

func newVerifier(f *fakeBF) *Verifier {
	v := &Verifier{AppID: testApp, MetadataURL: f.URL + "/openid", MinRefresh: time.Nanosecond}
	return v
}

func claims(mod func(map[string]any)) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": BotFrameworkIssuer, "aud": testApp, "serviceurl": testSvc,
		"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()}
	if mod != nil {
		mod(c)
	}
	return c
}

func TestVerify(t *testing.T) {
	a, b := testKeys()
	good := func(t *testing.T) string { return signJWT(t, a, "key-a", claims(nil)) }
	tests := []struct {
		name    string
		token   func(t *testing.T) string
		channel string
		want    string // "" accepts; else part of the error
	}{
		{"good token", good, "msteams", ""},
		{"audience as a list", func(t *testing.T) string {
			return signJWT(t, a, "key-a", claims(func(c map[string]any) { c["aud"] = []string{"other", testApp} }))
		}, "msteams", ""},
		{"wrong audience", func(t *testing.T) string {
			return signJWT(t, a, "key-a", claims(func(c map[string]any) { c["aud"] = "someone-else" }))
		}, "msteams", "audience"},
		{"wrong issuer", func(t *testing.T) string {
			return signJWT(t, a, "key-a", claims(func(c map[string]any) { c["iss"] = "https://sts.windows.net/evil/" }))
		}, "msteams", "issuer"},
		{"expired beyond the skew", func(t *testing.T) string {
			return signJWT(t, a, "key-a", claims(func(c map[string]any) { c["exp"] = time.Now().Add(-6 * time.Minute).Unix() }))
		}, "msteams", "expired"},
		{"expired within the skew", func(t *testing.T) string {
			return signJWT(t, a, "key-a", claims(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }))
		}, "msteams", ""},
		{"no expiry", func(t *testing.T) string {
			return signJWT(t, a, "key-a", claims(func(c map[string]any) { delete(c, "exp") }))
		}, "msteams", "expiry"},
		{"not valid yet", func(t *testing.T) string {
			return signJWT(t, a, "key-a", claims(func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() }))
		}, "msteams", "not valid yet"},
		{"unknown key", func(t *testing.T) string { return signJWT(t, b, "key-b", claims(nil)) }, "msteams", "unknown signing key"},
		{"signed by another key under a known kid", func(t *testing.T) string { return signJWT(t, b, "key-a", claims(nil)) }, "msteams", "signature"},
		{"tampered claims", func(t *testing.T) string {
			parts := strings.Split(good(t), ".")
			evil := signJWT(t, a, "key-a", claims(func(c map[string]any) { c["aud"] = "other" }))
			parts[1] = strings.Split(evil, ".")[1]
			return strings.Join(parts, ".")
		}, "msteams", "signature"},
		{"serviceUrl claim mismatch", func(t *testing.T) string {
			return signJWT(t, a, "key-a", claims(func(c map[string]any) { c["serviceurl"] = "https://evil.example/" }))
		}, "msteams", "serviceurl"},
		{"no serviceUrl claim", func(t *testing.T) string {
			return signJWT(t, a, "key-a", claims(func(c map[string]any) { delete(c, "serviceurl") }))
		}, "msteams", "serviceurl"},
		{"alg none", func(t *testing.T) string {
			parts := strings.Split(good(t), ".")
			parts[0] = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"key-a"}`))
			return parts[0] + "." + parts[1] + "."
		}, "msteams", "RS256"},
		{"key not endorsed for the channel", good, "webchat", "endorsed"},
		{"garbage", func(*testing.T) string { return "not.a.jwt.at.all" }, "msteams", "compact"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newVerifier(newFakeBF(t))
			err := v.Verify(context.Background(), "Bearer "+tc.token(t), testSvc, tc.channel)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestVerifyNeedsBearer(t *testing.T) {
	v := newVerifier(newFakeBF(t))
	for _, h := range []string{"", "Bearer ", "Basic abc", signJWT(t, keyA, "key-a", claims(nil))} {
		if err := v.Verify(context.Background(), h, testSvc, "msteams"); err == nil {
			t.Errorf("Authorization %.20q accepted", h)
		}
	}
}

// An unknown key id makes the verifier fetch the keys again (keys roll
// over), and accept the token once the new key is published.
func TestUnknownKeyRefreshes(t *testing.T) {
	a, b := testKeys()
	f := newFakeBF(t)
	v := newVerifier(f)
	ctx := context.Background()
	if err := v.Verify(ctx, "Bearer "+signJWT(t, a, "key-a", claims(nil)), testSvc, "msteams"); err != nil {
		t.Fatal(err)
	}
	tokB := "Bearer " + signJWT(t, b, "key-b", claims(nil))
	if err := v.Verify(ctx, tokB, testSvc, "msteams"); err == nil {
		t.Fatal("unknown key accepted")
	}
	if n := len(f.Calls("GET", "/keys")); n != 2 {
		t.Fatalf("key downloads %d, want 2: the first load, then a refresh for the unknown kid", n)
	}
	f.setKeys(jwkOf("key-b", &b.PublicKey, "msteams"))
	if err := v.Verify(ctx, tokB, testSvc, "msteams"); err != nil {
		t.Fatalf("after rollover: %v", err)
	}
}

// Forged tokens with random key ids must not turn the bot into a
// hammer on the metadata endpoint.
func TestKeyRefreshIsRateLimited(t *testing.T) {
	a, b := testKeys()
	f := newFakeBF(t)
	v := newVerifier(f)
	v.MinRefresh = time.Hour
	ctx := context.Background()
	if err := v.Verify(ctx, "Bearer "+signJWT(t, a, "key-a", claims(nil)), testSvc, "msteams"); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		tok := signJWT(t, b, "forged-"+string(rune('a'+i)), claims(nil))
		if err := v.Verify(ctx, "Bearer "+tok, testSvc, "msteams"); err == nil {
			t.Fatal("forged key accepted")
		}
	}
	if n := len(f.Calls("GET", "/keys")); n != 1 {
		t.Fatalf("key downloads %d, want 1 within MinRefresh", n)
	}
}

// A metadata endpoint that is down keeps the keys already known.
func TestRefreshFailureKeepsKeys(t *testing.T) {
	a, _ := testKeys()
	f := newFakeBF(t)
	v := newVerifier(f)
	ctx := context.Background()
	good := "Bearer " + signJWT(t, a, "key-a", claims(nil))
	if err := v.Verify(ctx, good, testSvc, "msteams"); err != nil {
		t.Fatal(err)
	}
	v.MetadataURL = f.URL + "/missing"
	v.MaxAge = time.Nanosecond // every use wants a refresh, which fails
	if err := v.Verify(ctx, good, testSvc, "msteams"); err != nil {
		t.Fatalf("known key refused while the metadata is down: %v", err)
	}
}
