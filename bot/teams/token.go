package teams

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Token scopes: the connector's, and Microsoft Graph's (history
// lookups for reminders).
const (
	BotFrameworkScope = "https://api.botframework.com/.default"
	GraphScope        = "https://graph.microsoft.com/.default"
)

// LoginURL is Entra's token service; TokenURL and Graph tokens hang off it.
const LoginURL = "https://login.microsoftonline.com"

// TokenURL is the Entra token endpoint for an app: its own tenant for a
// single-tenant app, botframework.com for a multi-tenant one.
func TokenURL(appType, tenantID string) string { return tokenURLAt(LoginURL, appType, tenantID) }

func tokenURLAt(login, appType, tenantID string) string {
	tenant := "botframework.com"
	if appType == SingleTenant {
		tenant = tenantID
	}
	return tenantTokenURL(login, tenant)
}

// tenantTokenURL is the v2 token endpoint of one tenant at a login base.
func tenantTokenURL(login, tenant string) string {
	return strings.TrimRight(login, "/") + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
}

// Credentials fetches the app's client-credentials token for calls to
// the connector (or Graph) and keeps it until shortly before it expires.
type Credentials struct {
	AppID, Password string
	URL             string // the token endpoint (TokenURL)
	Scope           string // default BotFrameworkScope
	HTTP            *http.Client
	// Margin is how long before expiry a token is replaced; default 5 min.
	Margin time.Duration
	Now    func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Token returns a cached token, or fetches one. Callers wait on one
// fetch instead of each starting their own.
func (c *Credentials) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.token != "" && now.Before(c.expires.Add(-c.margin())) {
		return c.token, nil
	}
	tok, life, err := c.fetch(ctx)
	if err != nil {
		return "", err
	}
	c.token, c.expires = tok, now.Add(life)
	return tok, nil
}

// Forget drops the cached token after the connector refused it.
func (c *Credentials) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = ""
}

func (c *Credentials) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Credentials) margin() time.Duration {
	if c.Margin > 0 {
		return c.Margin
	}
	return 5 * time.Minute
}

func (c *Credentials) fetch(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.AppID},
		"client_secret": {c.Password}, "scope": {cmp.Or(c.Scope, BotFrameworkScope)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.Number     `json:"expires_in"`
		Error       string          `json:"error"`
		Description json.RawMessage `json:"error_description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDoc)).Decode(&body); err != nil && resp.StatusCode == http.StatusOK {
		return "", 0, fmt.Errorf("token response: %w", err)
	}
	// Only the error code is reported: descriptions can echo the client id
	// and never help more than the code does in a log.
	if resp.StatusCode != http.StatusOK || body.AccessToken == "" {
		return "", 0, &TokenError{Status: resp.StatusCode, Code: body.Error}
	}
	secs, err := body.ExpiresIn.Int64()
	if err != nil || secs <= 0 {
		return "", 0, errors.New("token response has no usable expires_in")
	}
	return body.AccessToken, time.Duration(secs) * time.Second, nil
}

// TokenError is a token request the endpoint answered with a refusal.
// A 4xx (invalid_client, unauthorized_client, an app unknown in the
// tenant) stays so until someone changes the registration or consent; a
// 5xx may pass.
type TokenError struct {
	Status int
	Code   string // OAuth error code, e.g. "invalid_client"
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("token endpoint answered %d %s", e.Status, e.Code)
}
