package teams

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// jwtHeader is the part of a JOSE header the verifier reads.
type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// jwtClaims are the Bot Framework token's claims the verifier checks.
type jwtClaims struct {
	Iss        string   `json:"iss"`
	Aud        audience `json:"aud"`
	Exp        *float64 `json:"exp"`
	Nbf        *float64 `json:"nbf"`
	ServiceURL string   `json:"serviceurl"`
	// Some issuers spell it serviceUrl; either is the same claim.
	ServiceURLAlt string `json:"serviceUrl"`
}

// audience is the aud claim: a string or, by RFC 7519, a list.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud is neither a string nor a list of strings")
	}
	*a = many
	return nil
}

// token is a parsed but not yet verified JWT.
type token struct {
	header  jwtHeader
	claims  jwtClaims
	signed  []byte // header.payload, the signed bytes
	sig     []byte
	payload []byte
}

// parseJWT splits and decodes a compact JWS without trusting it.
func parseJWT(raw string) (*token, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, errors.New("token is not a compact JWS")
	}
	var t token
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(hb, &t.header) != nil {
		return nil, errors.New("token header is malformed")
	}
	if t.payload, err = base64.RawURLEncoding.DecodeString(parts[1]); err != nil || json.Unmarshal(t.payload, &t.claims) != nil {
		return nil, errors.New("token claims are malformed")
	}
	if t.sig, err = base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return nil, errors.New("token signature is malformed")
	}
	t.signed = []byte(parts[0] + "." + parts[1])
	return &t, nil
}

// verifySignature checks an RS256 signature. Only RS256 is accepted: the
// Bot Framework signs with it, and accepting the header's choice of
// algorithm is the classic JWT forgery.
func (t *token) verifySignature(key *rsa.PublicKey) error {
	if t.header.Alg != "RS256" {
		return fmt.Errorf("token algorithm %q is not RS256", t.header.Alg)
	}
	sum := sha256.Sum256(t.signed)
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], t.sig); err != nil {
		return errors.New("token signature does not verify")
	}
	return nil
}

// checkClaims applies the Bot Framework's rules for a channel's token.
func (t *token) checkClaims(issuer, appID, serviceURL string, now time.Time, skew time.Duration) error {
	c := t.claims
	switch {
	case c.Iss != issuer:
		return fmt.Errorf("token issuer %q is not %q", c.Iss, issuer)
	case !slices.Contains(c.Aud, appID):
		return errors.New("token audience is not this bot's app id")
	case c.Exp == nil:
		return errors.New("token has no expiry")
	case now.After(unix(*c.Exp).Add(skew)):
		return errors.New("token has expired")
	case c.Nbf != nil && now.Add(skew).Before(unix(*c.Nbf)):
		return errors.New("token is not valid yet")
	}
	claim := c.ServiceURL
	if claim == "" {
		claim = c.ServiceURLAlt
	}
	// The claim binds the token to the connector replies go to: without
	// it, a stolen token could send the bot's credentials anywhere.
	if claim == "" || !strings.EqualFold(claim, serviceURL) {
		return errors.New("token serviceurl claim does not match the activity's serviceUrl")
	}
	return nil
}

func unix(sec float64) time.Time {
	return time.Unix(0, int64(sec*float64(time.Second)))
}
