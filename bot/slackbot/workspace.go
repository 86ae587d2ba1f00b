package slackbot

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/install"
	"github.com/caisbot/caisbot/internal/cache"
	"github.com/slack-go/slack"
)

// Workspace is where a request came from, as Slack signed it: the team,
// and in Enterprise Grid the organization.
type Workspace struct{ Team, Enterprise string }

// Clients gives the Web API client that acts for a workspace: one bot
// token for every request (SLACK_BOT_TOKEN), or each workspace's own
// (multi-workspace mode). A workspace with no installation gets
// install.ErrNotInstalled.
type Clients interface {
	For(ctx context.Context, w Workspace) (API, error)
}

// Single is the one client of single-workspace mode.
type Single struct{ API API }

// For returns the one client, whatever the workspace.
func (s Single) For(context.Context, Workspace) (API, error) { return s.API, nil }

// Finder finds the installation serving a workspace (install.Store).
type Finder interface {
	Find(ctx context.Context, teamID, enterpriseID string) (install.Installation, error)
}

// Installed builds each workspace's client from its installation and
// keeps it for a minute: a request makes several Web API calls, and the
// record need not be read and opened for each. A reinstall's new token
// is used within the minute.
type Installed struct {
	find    Finder
	options []slack.Option
	clients cache.Map[Workspace, installedClient]
	// rotate, with token rotation, refreshes a token near its expiry.
	rotate *Rotator
}

type installedClient struct {
	c   *slack.Client
	at  time.Time
	key install.Key // the installation it acts for
	// refreshAt is when its token is due for a refresh (zero: never).
	refreshAt time.Time
}

const (
	installedFor = time.Minute
	maxInstalled = 1024 // workspaces whose client is kept
)

var installedLimit = cache.Limit{Max: maxInstalled}

// NewInstalled returns clients for the installations find finds, calling
// the Web API at apiURL (SLACK_API_URL) over httpc.
func NewInstalled(find Finder, apiURL string, httpc *http.Client) (*Installed, error) {
	if find == nil || apiURL == "" || httpc == nil {
		return nil, errors.New("slackbot: NewInstalled needs a finder, the API URL and an HTTP client")
	}
	return &Installed{find: find, options: []slack.Option{slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(httpc)}}, nil
}

// For returns the client of the installation serving w.
func (i *Installed) For(ctx context.Context, w Workspace) (API, error) {
	c, err := i.client(ctx, w)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return c, nil
}

// Announcer returns the client for deadline reminders to a firm of team
// (a Poster's clients).
func (i *Installed) Announcer(ctx context.Context, team string) (AnnounceAPI, error) {
	c, err := i.client(ctx, Workspace{Team: team})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (i *Installed) client(ctx context.Context, w Workspace) (*slack.Client, error) {
	now := time.Now()
	if c, ok := i.clients.Get(w); ok && now.Sub(c.at) < installedFor && (c.refreshAt.IsZero() || now.Before(c.refreshAt)) {
		return c.c, nil
	}
	in, err := i.find.Find(ctx, w.Team, w.Enterprise)
	if err == nil && i.rotate != nil {
		in, err = i.rotate.Fresh(ctx, in)
	}
	if err != nil {
		i.clients.Delete(w)
		return nil, err
	}
	k, _ := in.Key() // Find returns only installations with a key
	c := installedClient{c: slack.New(in.BotToken.Reveal(), i.options...), at: now, key: k}
	if !in.ExpiresAt.IsZero() {
		c.refreshAt = in.ExpiresAt.Add(-RefreshMargin)
	}
	i.clients.Put(w, c, installedLimit)
	return c.c, nil
}

// Rotate makes the clients refresh rotating tokens with r.
func (i *Installed) Rotate(r *Rotator) { i.rotate = r }

// Forget drops the clients acting for installation k (it was removed),
// so this replica stops using its token at once; the others' lapse
// within a minute.
func (i *Installed) Forget(k install.Key) {
	i.clients.DeleteFunc(func(_ Workspace, c installedClient) bool { return c.key == k })
}

// apiKey carries the request's client in its context, so every call
// made for the request, in the background too, acts in its workspace.
type apiKey struct{}

// workspace resolves the client for w and puts it in ctx. A workspace
// without an installation gets the reply that says where to add
// caisbot; any other failure the usual one.
func (h *Handler) workspace(ctx context.Context, w Workspace) (context.Context, *dialogs.Reply) {
	ctx = adapter.WithKey(ctx, w.Team) // the workspace's share of background sends
	c, err := h.cfg.Clients.For(ctx, w)
	switch {
	case errors.Is(err, install.ErrNotInstalled):
		h.logger(ctx).Info("request from a workspace without an installation", "team", w.Team, "enterprise", w.Enterprise)
		n := dialogs.Notice("caisbot is not installed here", "caisbot is not installed in this workspace — ask an admin to add it at "+h.cfg.InstallURL)
		return ctx, &n
	case err != nil:
		n := h.failure(ctx, err, firm.ID{})
		return ctx, &n
	}
	return context.WithValue(ctx, apiKey{}, c), nil
}

// api is the client of the request's workspace. Outside a request that
// named one (no caller does that) every call fails as not installed.
func (h *Handler) api(ctx context.Context) API {
	if a, ok := ctx.Value(apiKey{}).(API); ok {
		return a
	}
	return noWorkspace
}

// noWorkspace is a client that sends nothing: every call fails.
var noWorkspace = slack.New("", slack.OptionHTTPClient(&http.Client{Transport: refuse{}}))

type refuse struct{}

func (refuse) RoundTrip(*http.Request) (*http.Response, error) { return nil, install.ErrNotInstalled }

// refuse answers an interaction from a workspace caisbot cannot act in:
// under the form's input, or through the click's response_url (which
// needs no token); nothing is changed.
func (h *Handler) refuse(ctx context.Context, ic *slack.InteractionCallback, n dialogs.Reply) answer {
	switch {
	case ic.Type == slack.InteractionTypeViewSubmission:
		return formErrors(firstBlock(ic.View.State), plain(n.Parts[0].Text, h.cfg.Command, 2000))
	case ic.Type == slack.InteractionTypeBlockActions && ic.ResponseURL != "":
		m := h.encode(n, false)
		h.background(ctx, "response_url", func(ctx context.Context) error { return h.respond(ctx, ic.ResponseURL, m) })
	}
	return ok(nil)
}
