package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caisbot/caisbot/internal/cache"
)

// GraphURL is Microsoft Graph's v1.0 endpoint.
const GraphURL = "https://graph.microsoft.com/v1.0"

// graph reads conversations' recent messages through Microsoft Graph,
// with the app's client-credentials token from the firm's own tenant:
// Graph serves a team's or chat's messages in application context only
// to a token from the tenant that owns them, and resource-specific
// consent (granted when the app is installed there) is what allows it.
type graph struct {
	base, login     string
	appID, password string
	// tenant is the app's own tenant for a single-tenant app (it serves
	// no other); empty for a multi-tenant one, which asks each firm's.
	tenant string
	http   *http.Client

	creds cache.Map[string, *Credentials] // by tenant
}

// maxTenants bounds the cached credentials; past it the cache starts over.
const maxTenants = 1000

// credentials returns the tenant's token source, made once.
func (g *graph) credentials(tenant string) *Credentials {
	return g.creds.GetOrPut(tenant, cache.Limit{Max: maxTenants, StartOver: true}, func() *Credentials {
		return &Credentials{AppID: g.appID, Password: g.password, Scope: GraphScope,
			URL: tenantTokenURL(g.login, tenant), HTTP: g.http}
	})
}

// tokenTenant is the tenant a Graph token for a firm in tenant comes from.
func (g *graph) tokenTenant(tenant string) string {
	if g.tenant != "" {
		return g.tenant
	}
	return tenant
}

// GraphError is a Graph call answered with an error status.
type GraphError struct {
	Status     int
	Code       string // Graph's error code, e.g. "Forbidden"
	RetryAfter time.Duration
}

func (e *GraphError) Error() string {
	s := fmt.Sprintf("Microsoft Graph answered %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	return s
}

// chatMessage is the part of Graph's chatMessage a lookup reads. A
// bot's post names the bot as from.application; each card is an
// attachment whose content is the card's JSON as a string.
type chatMessage struct {
	ID       string    `json:"id"`
	Created  time.Time `json:"createdDateTime"`
	Modified time.Time `json:"lastModifiedDateTime"`
	From     *struct {
		Application *struct {
			ID string `json:"id"`
		} `json:"application"`
	} `json:"from"`
	Attachments []struct {
		ContentType string  `json:"contentType"`
		Content     *string `json:"content"`
	} `json:"attachments"`
}

type messagePage struct {
	Value []chatMessage `json:"value"`
	Next  string        `json:"@odata.nextLink"`
}

// channelMessages and chatMessages are the first pages of a history,
// newest first, at Graph's largest page size.
func (g *graph) channelMessages(group, channel string) string {
	return strings.TrimRight(g.base, "/") + "/teams/" + url.PathEscape(group) + "/channels/" + url.PathEscape(channel) + "/messages?$top=50"
}

func (g *graph) chatMessages(chat string) string {
	return strings.TrimRight(g.base, "/") + "/chats/" + url.PathEscape(chat) + "/messages?$top=50&$orderby=createdDateTime%20desc"
}

// page reads one page of messages. u is a URL this client made or a
// nextLink Graph gave; a nextLink elsewhere is refused, so the token
// never leaves for another host.
func (g *graph) page(ctx context.Context, tenant, u string) (messagePage, error) {
	if !strings.HasPrefix(u, strings.TrimRight(g.base, "/")+"/") {
		return messagePage{}, &GraphError{Status: http.StatusBadRequest, Code: "nextLinkElsewhere"}
	}
	creds := g.credentials(g.tokenTenant(tenant))
	p, err := g.get(ctx, creds, u)
	var ge *GraphError
	if errors.As(err, &ge) && ge.Status == http.StatusUnauthorized {
		creds.Forget() // revoked early: one more try with a fresh token
		p, err = g.get(ctx, creds, u)
	}
	return p, err
}

func (g *graph) get(ctx context.Context, creds *Credentials, u string) (messagePage, error) {
	tok, err := creds.Token(ctx)
	if err != nil {
		return messagePage{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return messagePage{}, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	resp, err := g.http.Do(req)
	if err != nil {
		return messagePage{}, err
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, 8<<20) // 50 cards of up to ~28 KB each, with room
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		_ = json.NewDecoder(body).Decode(&e)
		return messagePage{}, &GraphError{Status: resp.StatusCode, Code: e.Error.Code, RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}
	var p messagePage
	if err := json.NewDecoder(body).Decode(&p); err != nil {
		return messagePage{}, fmt.Errorf("reading Graph messages: %w", err)
	}
	return p, nil
}

// teamGroups remembers teams' Entra group ids, learned from activities
// or the connector, so each is looked up at most once per process.
type teamGroups struct{ m cache.Map[string, string] }

func (t *teamGroups) get(team string) string {
	group, _ := t.m.Get(team)
	return group
}

func (t *teamGroups) put(team, group string) {
	if team == "" || group == "" {
		return
	}
	t.m.Put(team, group, savedLimit)
}

// fill completes a reference with its team's group id when known, and
// learns the id when the reference carries it: activities other than
// a team's conversationUpdate do not, and the saved reference should
// not lose it.
func (t *teamGroups) fill(ref ConversationRef) ConversationRef {
	if ref.AADGroup != "" {
		t.put(ref.Team, ref.AADGroup)
	} else if ref.Team != "" {
		ref.AADGroup = t.get(ref.Team)
	}
	return ref
}
