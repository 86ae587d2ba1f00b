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

// call sends one activity and returns the id the connector gave it.
func (c *Connector) call(ctx context.Context, method, u string, a *Activity) (string, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	err = c.request(ctx, method, u, body, &out)
	return out.ID, err
}

// TeamGroup returns a team's Entra group id (its id in Microsoft Graph)
// from the connector's team details; team is the Teams team id
// ("19:…@thread.tacv2"), as channelData.team names it.
func (c *Connector) TeamGroup(ctx context.Context, serviceURL, team string) (string, error) {
	var out struct {
		AADGroupID string `json:"aadGroupId"`
	}
	u := strings.TrimRight(serviceURL, "/") + "/v3/teams/" + url.PathEscape(team)
	if err := c.request(ctx, http.MethodGet, u, nil, &out); err != nil {
		return "", err
	}
	if out.AADGroupID == "" {
		return "", errors.New("the connector's team details name no aadGroupId")
	}
	return out.AADGroupID, nil
}

// request makes one call and decodes a 2xx answer into out; a 401 with
// a cached token is retried once with a fresh one, since Entra may
// revoke tokens before they expire.
func (c *Connector) request(ctx context.Context, method, u string, body []byte, out any) error {
	err := c.do(ctx, method, u, body, out)
	var ce *ConnectorError
	if c.Credentials != nil && errors.As(err, &ce) && ce.Status == http.StatusUnauthorized {
		c.Credentials.Forget()
		err = c.do(ctx, method, u, body, out)
	}
	return err
}

func (c *Connector) do(ctx context.Context, method, u string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Credentials != nil {
		tok, err := c.Credentials.Token(ctx)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		return &ConnectorError{Status: resp.StatusCode, Code: e.Error.Code, RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}
	_ = json.Unmarshal(raw, out) // an answer without a body (an update) is fine
	return nil
}

// retryAfter reads a Retry-After header in seconds; 0 if absent or odd.
func retryAfter(h string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}
