package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Connector sends activities through the Bot Framework connector at an
// activity's serviceUrl (REST API v3).
type Connector struct {
	HTTP *http.Client
	// Credentials authenticate the calls; nil sends none (local mode,
	// where the Agents Playground is the connector).
	Credentials *Credentials
}

// ConnectorError is a refused connector call.
type ConnectorError struct {
	Status     int
	Code       string // the connector's error code, e.g. "BotNotInConversationRoster"
	RetryAfter time.Duration
}

func (e *ConnectorError) Error() string {
	s := fmt.Sprintf("connector answered %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	return s
}

// Send posts a new activity to a conversation and returns its id.
func (c *Connector) Send(ctx context.Context, serviceURL, conversation string, a *Activity) (string, error) {
	return c.call(ctx, http.MethodPost, activitiesURL(serviceURL, conversation, ""), a)
}

// Reply posts a into the conversation in reply to activity replyTo.
func (c *Connector) Reply(ctx context.Context, serviceURL, conversation, replyTo string, a *Activity) (string, error) {
	a.ReplyToID = replyTo
	return c.call(ctx, http.MethodPost, activitiesURL(serviceURL, conversation, replyTo), a)
}

// Update replaces activity id (a card) with a.
func (c *Connector) Update(ctx context.Context, serviceURL, conversation, id string, a *Activity) error {
	a.ID = id
	_, err := c.call(ctx, http.MethodPut, activitiesURL(serviceURL, conversation, id), a)
	return err
}

func activitiesURL(serviceURL, conversation, id string) string {
	u := strings.TrimRight(serviceURL, "/") + "/v3/conversations/" + url.PathEscape(conversation) + "/activities"
	if id != "" {
		u += "/" + url.PathEscape(id)
	}
	return u
}

// call sends one request; a 401 with a cached token is retried once with
// a fresh one, since Entra may revoke tokens before they expire.
func (c *Connector) call(ctx context.Context, method, u string, a *Activity) (string, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return "", err
	}
	id, err := c.do(ctx, method, u, body)
	var ce *ConnectorError
	if c.Credentials != nil && errors.As(err, &ce) && ce.Status == http.StatusUnauthorized {
		c.Credentials.Forget()
		id, err = c.do(ctx, method, u, body)
	}
	return id, err
}

func (c *Connector) do(ctx context.Context, method, u string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Credentials != nil {
		tok, err := c.Credentials.Token(ctx)
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		ID    string `json:"id"`
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&out)
	if resp.StatusCode/100 != 2 {
		return "", &ConnectorError{Status: resp.StatusCode, Code: out.Error.Code, RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}
	return out.ID, nil
}

// retryAfter reads a Retry-After header in seconds; 0 if absent or odd.
func retryAfter(h string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}
