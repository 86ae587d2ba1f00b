package teams

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Bot Framework constants for tokens that channels (Teams) send to bots.
const (
	BotFrameworkMetadata = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	BotFrameworkIssuer   = "https://api.botframework.com"
)

// Verifier checks the Bearer token the Bot Framework puts on every
// request: RS256 signature by a published key, issuer, audience (the app
// id), lifetime and the serviceurl claim.
type Verifier struct {
	AppID string
	// MetadataURL is the OpenID configuration naming jwks_uri; default
	// BotFrameworkMetadata. Issuer defaults to BotFrameworkIssuer.
	MetadataURL string
	Issuer      string
	HTTP        *http.Client
	Now         func() time.Time
	// Skew is the clock difference tolerated on exp and nbf; default 5
	// min, as the Bot Framework SDKs allow.
	Skew time.Duration
	// MinRefresh is the least time between two key downloads caused by an
	// unknown key id, so forged tokens cannot make the bot hammer the
	// metadata endpoint; default 1 min. MaxAge is how long keys are used
	// before they are fetched again; default 24 h (keys roll over).
	MinRefresh time.Duration
	MaxAge     time.Duration

	once    sync.Once
	mu      sync.Mutex
	keys    map[string]signingKey
	tried   time.Time // last download attempt
	fetched time.Time // last successful download
}

// signingKey is one published key and the channels that endorse it.
type signingKey struct {
	pub          *rsa.PublicKey
	endorsements []string
}

func (v *Verifier) defaults() {
	if v.MetadataURL == "" {
		v.MetadataURL = BotFrameworkMetadata
	}
	if v.Issuer == "" {
		v.Issuer = BotFrameworkIssuer
	}
	if v.HTTP == nil {
		v.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if v.Now == nil {
		v.Now = time.Now
	}
	setDefault(&v.Skew, 5*time.Minute)
	setDefault(&v.MinRefresh, time.Minute)
	setDefault(&v.MaxAge, 24*time.Hour)
}

// Verify checks the Authorization header of a request carrying an
// activity from channelID whose serviceUrl is serviceURL.
func (v *Verifier) Verify(ctx context.Context, authorization, serviceURL, channelID string) error {
	v.once.Do(v.defaults)
	const scheme = "Bearer "
	if len(authorization) <= len(scheme) || !strings.EqualFold(authorization[:len(scheme)], scheme) {
		return errors.New("no Bearer token")
	}
	raw := strings.TrimSpace(authorization[len(scheme):])
	t, err := parseJWT(raw)
	if err != nil {
		return err
	}
	k, err := v.key(ctx, t.header.Kid)
	if err != nil {
		return err
	}
	// A key endorsed for some channels only signs those channels' tokens.
	if !slices.Contains(k.endorsements, channelID) {
		return fmt.Errorf("signing key is not endorsed for channel %q", channelID)
	}
	if err := t.verifySignature(k.pub); err != nil {
		return err
	}
	return t.checkClaims(v.Issuer, v.AppID, serviceURL, v.Now(), v.Skew)
}

// key finds the key kid, downloading the key set when it is old or when
// kid is unknown (at most once per MinRefresh).
func (v *Verifier) key(ctx context.Context, kid string) (signingKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := time.Now()
	_, known := v.keys[kid]
	stale := now.Sub(v.fetched) > v.MaxAge
	if (stale || !known) && now.Sub(v.tried) >= v.MinRefresh {
		v.tried = now
		keys, err := v.download(ctx)
		switch {
		case err == nil:
			v.keys, v.fetched = keys, now
		case v.keys == nil:
			return signingKey{}, fmt.Errorf("cannot load signing keys: %w", err)
		}
		// A failed refresh keeps the keys we have: the next one retries.
	}
	k, ok := v.keys[kid]
	if !ok {
		return signingKey{}, fmt.Errorf("unknown signing key %q", kid)
	}
	return k, nil
}

// download reads the OpenID metadata, then the key set it names.
func (v *Verifier) download(ctx context.Context) (map[string]signingKey, error) {
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, v.HTTP, v.MetadataURL, &meta); err != nil {
		return nil, fmt.Errorf("openid metadata: %w", err)
	}
	if meta.JWKSURI == "" {
		return nil, errors.New("openid metadata names no jwks_uri")
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := getJSON(ctx, v.HTTP, meta.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	keys := map[string]signingKey{}
	for _, j := range set.Keys {
		if pub, err := j.rsa(); err == nil && j.Kid != "" {
			keys[j.Kid] = signingKey{pub: pub, endorsements: j.Endorsements}
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("jwks holds no usable RSA key")
	}
	return keys, nil
}

// jwk is one JSON Web Key; the Bot Framework adds endorsements.
type jwk struct {
	Kty          string   `json:"kty"`
	Kid          string   `json:"kid"`
	Use          string   `json:"use"`
	N            string   `json:"n"`
	E            string   `json:"e"`
	Endorsements []string `json:"endorsements"`
}

func (j jwk) rsa() (*rsa.PublicKey, error) {
	if j.Kty != "RSA" || (j.Use != "" && j.Use != "sig") {
		return nil, errors.New("not an RSA signing key")
	}
	n, err1 := base64.RawURLEncoding.DecodeString(j.N)
	e, err2 := base64.RawURLEncoding.DecodeString(j.E)
	if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
		return nil, errors.New("malformed RSA key")
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if pub.N.BitLen() < 2048 || pub.E < 3 {
		return nil, errors.New("RSA key too weak")
	}
	return pub, nil
}

// maxDoc bounds metadata and key documents.
const maxDoc = 1 << 20

func getJSON(ctx context.Context, c *http.Client, url string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, maxDoc)).Decode(into)
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}
