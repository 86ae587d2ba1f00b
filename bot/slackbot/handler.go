// Package slackbot is the Slack adapter: it verifies and decodes Slack
// requests, hands them to dialogs, renders replies as Block Kit and sends
// them through the Web API.
package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/cache"
	"github.com/slack-go/slack"
)

// MaxBody is the largest request Slack may send us; more is refused (413).
const MaxBody = adapter.MaxBody

// API is the part of Slack's Web API the bot uses (*slack.Client has it).
type API interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	UploadFileContext(ctx context.Context, params slack.UploadFileParameters) (*slack.FileSummary, error)
	// GetUserInfoContext is users.info (display names; users:read).
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
	// The bureau console (console.go): users.conversations (channel
	// names, a user's channels) and conversations.open (its CSV by DM).
	GetConversationsForUserContext(ctx context.Context, params *slack.GetConversationsForUserParameters) ([]slack.Channel, string, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
}

// Config holds the handler's dependencies.
type Config struct {
	SigningSecret string
	// Scope is "workspace" (one firm per team) or "channel".
	Scope   firm.Scope
	Command string // default "/cais-next"
	Service *dialogs.Service
	// API makes every Web API call in single-workspace mode; Clients
	// replaces it when each workspace has its own token.
	API     API
	Clients Clients
	// InstallURL is where an admin adds caisbot to a workspace (multi-
	// workspace mode), named to requests from workspaces without it.
	InstallURL string
	// HTTP posts to response_url; it must have a timeout.
	HTTP   *http.Client
	Logger *slog.Logger
	// Budget bounds the work done before answering Slack (3 s in all).
	Budget time.Duration
	// Observe, if set, is told of every request (metrics).
	Observe adapter.Observer
	// Viewers remembers who opened the App Home, to refresh it after
	// changes; nil disables refreshes.
	Viewers Viewers
	// Once claims each delivery that may change the record (required).
	Once *adapter.Once
	// Lifecycle, in multi-workspace mode, is told of a workspace
	// removing caisbot (app_uninstalled, tokens_revoked).
	Lifecycle Lifecycle
	// OnShed, if set, counts a background send not made because too many
	// were waiting for Slack (metrics; see adapter.Background).
	OnShed func(name, why string)
}

// Handler serves POST /slack/events.
type Handler struct {
	cfg    Config
	render Renderer
	log    *slog.Logger
	bg     *adapter.Background
	cards  *cardCache
	names  *nameBook
	// channelNames keeps each team's channel names (console.go).
	channelNames cache.Map[string, channelNames]
	// uploadWait bounds one file upload (tests shorten it).
	uploadWait time.Duration
}

// New checks the configuration and returns a handler.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.SigningSecret == "":
		return nil, errors.New("slackbot: signing secret is required")
	case cfg.Service == nil || cfg.API == nil && cfg.Clients == nil || cfg.Once == nil:
		return nil, errors.New("slackbot: service, API (or Clients) and Once are required")
	case cfg.Scope != firm.WorkspaceScope && cfg.Scope != firm.ChannelScope:
		return nil, fmt.Errorf("slackbot: unknown scope %q", cfg.Scope)
	}
	if cfg.Command == "" {
		cfg.Command = "/cais-next"
	}
	switch {
	case cfg.Clients == nil:
		cfg.Clients = Single{API: cfg.API}
	case cfg.API == nil:
		cfg.API = noWorkspace // calls go through h.api; one that does not fails, loudly
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Budget == 0 {
		cfg.Budget = 2 * time.Second
	}
	bg := &adapter.Background{Timeout: 15 * time.Second, Log: cfg.Logger, OnShed: cfg.OnShed}
	h := &Handler{cfg: cfg, render: Renderer{Command: cfg.Command}, log: cfg.Logger, bg: bg, cards: newCardCache(), uploadWait: uploadWait}
	h.names = newNameBook(h.api, cfg.Logger)
	return h, nil
}

// Wait blocks until background sends (response_url, public posts) finish.
func (h *Handler) Wait() { h.bg.Wait() }

// Drain is Wait for a shutdown: past ctx's end, sends still waiting are
// dropped and running ones canceled (adapter.Background.Drain).
func (h *Handler) Drain(ctx context.Context) { h.bg.Drain(ctx) }

// Load is how many background sends run and wait now (metrics).
func (h *Handler) Load() (running, waiting int) { return h.bg.Load() }

// ServeHTTP verifies the request, then dispatches on its kind.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, status := adapter.ReadBody(w, r)
	switch status {
	case http.StatusRequestEntityTooLarge:
		http.Error(w, "request body too large", status)
		h.observe("oversized", nil, answer{status: status}, time.Now())
		return
	case http.StatusBadRequest:
		http.Error(w, "cannot read body", status)
		return
	}
	start, ct := time.Now(), r.Header.Get("Content-Type")
	if sslCheck(ct, body) {
		// Slack's certificate checks come unsigned; answer and discard
		// whatever else the body holds, as Bolt does.
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx, rq := h.begin(r.Context())
	if err := h.verify(r.Header, body); err != nil {
		rq.Log().Warn("rejected unverified request", "err", err, "remote", r.RemoteAddr)
		a := answer{status: http.StatusUnauthorized, text: "invalid signature"}
		a.write(w)
		h.observe("unverified", rq, a, start)
		return
	}
	ctx = adapter.WithDelivery(ctx, httpDelivery(r.Header.Get("X-Slack-Request-Timestamp"), r.Header.Get("X-Slack-Signature")))
	// The budget, not the connection, bounds the work: a change runs to
	// its end even if Slack hangs up first, and a context that does not
	// hang on the connection's costs no registration with it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.cfg.Budget)
	defer cancel()
	a := h.dispatch(ctx, ct, body)
	a.write(w)
	h.observe(kindOf(ct, body), rq, a, start)
}

// answer is what Slack gets back: over HTTP the response, over Socket
// Mode the acknowledgement's payload.
type answer struct {
	status int
	body   any    // JSON body; nil for none
	text   string // plain-text body (url_verification, errors)
}

func ok(body any) answer    { return answer{status: http.StatusOK, body: body} }
func bad(msg string) answer { return answer{status: http.StatusBadRequest, text: msg} }
func (a answer) write(w http.ResponseWriter) {
	switch raw, isRaw := a.body.(json.RawMessage); {
	case isRaw:
		// With its length known, net/http sends a card over 2 KB as it
		// is rather than in chunks.
		hd := w.Header()
		hd.Set("Content-Type", "application/json")
		hd.Set("Content-Length", strconv.Itoa(len(raw)))
		w.WriteHeader(a.status)
		_, _ = w.Write(raw)
	case a.body != nil:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_ = json.NewEncoder(w).Encode(a.body)
	case a.text != "":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.text))
	default:
		w.WriteHeader(a.status)
	}
}

// dispatch routes a verified body by kind, as Bolt's default route does.
func (h *Handler) dispatch(ctx context.Context, contentType string, body []byte) answer {
	if strings.HasPrefix(contentType, "application/json") {
		return h.event(ctx, body)
	}
	form, err := url.ParseQuery(string(body))
	switch {
	case err != nil:
		return bad("malformed form body")
	case form.Get("ssl_check") == "1":
		return ok(nil)
	case form.Has("payload"):
		ic, err := decodeInteraction([]byte(form.Get("payload")))
		if err != nil {
			return bad("malformed interaction payload")
		}
		return h.interaction(ctx, ic)
	case form.Has("command"):
		return h.command(ctx, slashFromForm(form))
	}
	return bad("unrecognised request")
}

func sslCheck(contentType string, body []byte) bool {
	if strings.HasPrefix(contentType, "application/json") || !bytes.Contains(body, []byte("ssl_check=1")) {
		return false
	}
	f, err := url.ParseQuery(string(body))
	return err == nil && f.Get("ssl_check") == "1"
}

func (h *Handler) verify(header http.Header, body []byte) error {
	sv, err := slack.NewSecretsVerifier(header, h.cfg.SigningSecret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

// firm maps a Slack team/channel to the firm whose roadmap it is.
func (h *Handler) firm(team, channel string) (firm.ID, error) {
	return h.cfg.Scope.In(firm.Slack, team, channel)
}

// failure turns an error from dialogs into what the user sees; the cause
// goes to the log only.
func (h *Handler) failure(ctx context.Context, err error, f firm.ID) dialogs.Reply {
	return adapter.Failure(ctx, h.log, f, err)
}

// background runs f after the response, so Slack gets its answer at once
// and shutdown can wait for f.
func (h *Handler) background(ctx context.Context, name string, f func(ctx context.Context) error) {
	h.bg.Go(ctx, "slack call", name, f)
}

// respond posts a reply to a response_url.
func (h *Handler) respond(ctx context.Context, responseURL string, b json.RawMessage) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.cfg.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("response_url answered %s", resp.Status)
	}
	return nil
}

// changed follows a committed change: the public line in the channel and
// fresh Home tabs for the firm's viewers.
func (h *Handler) changed(ctx context.Context, f firm.ID, channel, responseURL string, r dialogs.Reply) {
	if r.Public == "" {
		return
	}
	h.publish(ctx, channel, responseURL, r)
	h.refreshHomes(ctx, f)
}

// publish posts a reply's public line to the channel. A 429 is waited
// out as Slack asks (a 5xx briefly) while the task's time allows; if the
// line still does not go out, the user is told, since the team would
// otherwise never see who confirmed what.
func (h *Handler) publish(ctx context.Context, channel, responseURL string, r dialogs.Reply) {
	if channel == "" {
		return
	}
	text := Mrkdwn(r.Public, h.cfg.Command)
	h.background(ctx, "chat.postMessage", func(ctx context.Context) error {
		err := adapter.Retry(ctx, tellReserve, func(ctx context.Context) error {
			_, _, err := h.api(ctx).PostMessageContext(ctx, channel,
				slack.MsgOptionText(clipMrkdwn(text, maxFallbackText), false),
				slack.MsgOptionBlocks(publicBlocks(text)...))
			return err
		}, retryAfter)
		if err != nil && responseURL != "" {
			_ = h.respond(ctx, responseURL, h.encode(lineNotPosted(err), false))
		}
		return err
	})
}

// tellReserve is the time kept, out of a background task's, for telling
// the user that a send failed.
const tellReserve = 5 * time.Second

// retryAfter says whether and when to try a Web API call again: after a
// 429, when Slack says; after a 5xx, in a second.
func retryAfter(err error) (time.Duration, bool) {
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	switch {
	case errors.As(err, &rl):
		return rl.RetryAfter, true
	case errors.As(err, &sc) && sc.Code >= 500:
		return time.Second, true
	}
	return 0, false
}

// lineNotPosted tells the user why their team did not see the progress
// line of a change that was recorded.
func lineNotPosted(err error) dialogs.Reply {
	if notMember(err) {
		return dialogs.Notice("Your team did not see this", "Your answer was recorded, but caisbot could not post the progress line here because it is not a member of this channel. Invite it (`/invite @caisbot`) so the team sees who confirmed what.")
	}
	return dialogs.Notice("Your team did not see this", "Your answer was recorded, but Slack did not take the progress line for this channel (it was busy or did not answer), so the team has not seen it. Type `{cmd} status` to show where things stand.")
}

func notMember(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && (se.Err == "not_in_channel" || se.Err == "channel_not_found")
}
