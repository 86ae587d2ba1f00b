// Package teams is the Microsoft Teams adapter: it authenticates and
// decodes Bot Framework activities, hands them to dialogs, renders replies
// as Adaptive Cards and sends them through the Bot Framework connector.
package teams

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// MaxBody is the largest activity accepted; more is refused (413).
const MaxBody = adapter.MaxBody

// App types, as MICROSOFT_APP_TYPE names them.
const (
	SingleTenant = "SingleTenant"
	MultiTenant  = "MultiTenant"
)

// Config holds the handler's settings and dependencies.
type Config struct {
	// AppID is the bot's Microsoft app id; empty runs the local mode:
	// unauthenticated requests from loopback only, replies sent without
	// a token (for the Agents Playground).
	AppID, AppPassword string
	// AppType is SingleTenant (TenantID required) or MultiTenant.
	AppType, TenantID string
	// Scope: one firm per tenant, or per channel.
	Scope   firm.Scope
	BotName string // default "caisbot"; users type "@caisbot status"
	Service *dialogs.Service
	Store   Directory
	// HTTP makes outgoing calls; it must have a timeout.
	HTTP   *http.Client
	Logger *slog.Logger
	// Budget bounds the work done before answering (Teams waits 15 s).
	Budget time.Duration
	// Observe hears each request: its kind ("message", "card_action",
	// "invoke", "conversationUpdate", "installationUpdate", "other",
	// "unauthorized", "malformed", "oversized"), outcome and latency.
	Observe adapter.Observer
	// OnShed, if set, counts a background send not made because too many
	// were waiting for Teams (metrics; see adapter.Background).
	OnShed func(name, why string)
	// MetadataURL and TokenURL replace the Bot Framework's and Entra's
	// endpoints (tests).
	MetadataURL, TokenURL string
	// GraphURL and LoginURL replace Microsoft Graph's v1.0 endpoint and
	// Entra's login base (tests); Graph tokens come from
	// LoginURL/{tenant}/oauth2/v2.0/token. Defaults GraphURL, LoginURL.
	GraphURL, LoginURL string
	// Once claims each activity that may change the record (required).
	Once *adapter.Once
	// Announced, if set, is told each reminder event the scheduler cannot
	// see: "unverified" when a reminder is posted without a history check
	// (for caisbot_announcements_total).
	Announced func(event string)
}

// Handler serves POST /api/messages.
type Handler struct {
	cfg    Config
	render Renderer
	verify *Verifier // nil in local mode
	conn   *Connector
	log    *slog.Logger
	bg     *adapter.Background
	cache  saved
	graph  *graph // reads history for reminders; nil in local mode
	groups teamGroups
	// putWait bounds an accepted file's upload (tests shorten it).
	putWait time.Duration
}

// New checks the configuration and returns a handler.
func New(cfg Config) (*Handler, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	cfg.defaults()
	h := &Handler{cfg: cfg, render: Renderer{Command: "@" + cfg.BotName}, log: cfg.Logger,
		bg: &adapter.Background{Timeout: 30 * time.Second, Log: cfg.Logger, OnShed: cfg.OnShed}, putWait: putWait}
	h.conn = &Connector{HTTP: cfg.HTTP}
	if cfg.AppID == "" {
		h.log.Warn("MICROSOFT_APP_ID is not set: /api/messages accepts unauthenticated requests from loopback only, and replies carry no token (local testing with the Agents Playground)")
		return h, nil
	}
	h.verify = &Verifier{AppID: cfg.AppID, MetadataURL: cfg.MetadataURL, HTTP: cfg.HTTP}
	h.conn.Credentials = &Credentials{AppID: cfg.AppID, Password: cfg.AppPassword, URL: cfg.TokenURL, HTTP: cfg.HTTP}
	h.graph = &graph{base: cfg.GraphURL, login: cfg.LoginURL, appID: cfg.AppID, password: cfg.AppPassword, http: cfg.HTTP}
	if cfg.AppType == SingleTenant {
		h.graph.tenant = cfg.TenantID
	}
	return h, nil
}

func (c *Config) check() error {
	switch {
	case c.Service == nil || c.Service.Flow == nil || c.Store == nil || c.Once == nil:
		return errors.New("teams: Service (with a Flow), Store and Once are required")
	case c.Scope != firm.WorkspaceScope && c.Scope != firm.ChannelScope:
		return fmt.Errorf("teams: unknown scope %q", c.Scope)
	case c.AppID != "" && c.AppPassword == "":
		return errors.New("MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID")
	case c.AppType != "" && c.AppType != SingleTenant && c.AppType != MultiTenant:
		return fmt.Errorf("MICROSOFT_APP_TYPE must be SingleTenant or MultiTenant, not %q", c.AppType)
	case c.AppID != "" && c.AppType == SingleTenant && c.TenantID == "":
		return errors.New("MICROSOFT_APP_TENANT_ID is required with MICROSOFT_APP_TYPE=SingleTenant")
	}
	return nil
}

func (c *Config) defaults() {
	if c.AppType == "" {
		c.AppType = MultiTenant
	}
	if c.BotName == "" {
		c.BotName = "caisbot"
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	setDefault(&c.Budget, 5*time.Second)
	c.GraphURL = cmp.Or(c.GraphURL, GraphURL)
	c.LoginURL = cmp.Or(c.LoginURL, LoginURL)
	c.TokenURL = cmp.Or(c.TokenURL, tokenURLAt(c.LoginURL, c.AppType, c.TenantID))
}

// Wait blocks until background sends finish (shutdown, tests).
func (h *Handler) Wait() { h.bg.Wait() }

// Drain is Wait for a shutdown: past ctx's end, sends still waiting are
// dropped and running ones canceled (adapter.Background.Drain).
func (h *Handler) Drain(ctx context.Context) { h.bg.Drain(ctx) }

// Load is how many background sends run and wait now (metrics).
func (h *Handler) Load() (running, waiting int) { return h.bg.Load() }

// ServeHTTP authenticates the activity, then dispatches on its type.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, status := adapter.ReadBody(w, r)
	switch status {
	case http.StatusRequestEntityTooLarge:
		h.finish(w, "oversized", start, answer{status: status})
		return
	case http.StatusBadRequest:
		h.finish(w, "malformed", start, answer{status: status})
		return
	}
	var a Activity
	if err := json.Unmarshal(body, &a); err != nil || a.Type == "" {
		h.finish(w, "malformed", start, answer{status: http.StatusBadRequest})
		return
	}
	if err := h.authenticate(r, &a); err != nil {
		h.log.Warn("rejected unauthenticated activity", "err", err, "remote", r.RemoteAddr, "type", a.Type)
		h.finish(w, "unauthorized", start, answer{status: http.StatusUnauthorized})
		return
	}
	ctx, rq := h.begin(r.Context(), &a)
	// The budget, not the connection, bounds the work: a change runs to
	// its end even if Teams hangs up first.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.cfg.Budget)
	defer cancel()
	ans := h.dispatch(ctx, &a)
	ans.failed = ans.failed || rq.Failed()
	h.finish(w, kindOf(&a), start, ans)
}

// kindOf names an activity for metrics, from a fixed set of labels.
func kindOf(a *Activity) string {
	switch a.Type {
	case typeMessage:
		if _, isCard := cardData(a.Value); isCard {
			return "card_action"
		}
		return "message"
	case typeInvoke, typeConvUpdate, typeInstallation:
		return a.Type
	}
	return "other"
}

// authenticate applies the Bot Framework's token rules, or in local mode
// admits loopback only.
func (h *Handler) authenticate(r *http.Request, a *Activity) error {
	if h.verify == nil {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return errors.New("no app id configured: only loopback requests are accepted")
		}
		// A reverse proxy on the same host makes every request loopback;
		// the headers it adds give it away.
		for _, hd := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
			if r.Header.Get(hd) != "" {
				return errors.New("no app id configured: proxied requests are refused (" + hd + ")")
			}
		}
		return localOnly(r, a)
	}
	// Only Teams: on other Bot Framework channels (Web Chat, Direct Line)
	// the client controls the user and tenant fields that decide who is
	// an admin and which firm is touched.
	if a.ChannelID != "msteams" {
		return fmt.Errorf("channel %q refused: only msteams is served", a.ChannelID)
	}
	if err := h.verify.Verify(r.Context(), r.Header.Get("Authorization"), a.ServiceURL, a.ChannelID); err != nil {
		return err
	}
	if h.cfg.AppType == SingleTenant && a.tenant() != "" && !strings.EqualFold(a.tenant(), h.cfg.TenantID) {
		return fmt.Errorf("tenant %q refused: the app is single-tenant", a.tenant())
	}
	return nil
}

// answer is the HTTP response: a status, and for invokes a JSON body.
type answer struct {
	status int
	body   any
	failed bool
	// keep says the activity's delivery must stay claimed (adapter.Keeps).
	keep bool
}

func ok() answer { return answer{status: http.StatusOK} }

func (h *Handler) finish(w http.ResponseWriter, kind string, start time.Time, a answer) {
	if a.body != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_ = json.NewEncoder(w).Encode(a.body)
	} else {
		w.WriteHeader(a.status)
	}
	h.cfg.Observe.Observe(kind, a.status, a.failed, start)
}

// dispatch routes an authenticated activity by type.
func (h *Handler) dispatch(ctx context.Context, a *Activity) answer {
	ctx = adapter.WithKey(ctx, a.tenant()) // the tenant's share of background sends
	if a.ServiceURL == "" || a.conversationID() == "" {
		return answer{status: http.StatusBadRequest}
	}
	v, isCard := cardData(a.Value)
	if a.Type == typeMessage && !isCard && !a.addressesBot(h.cfg.BotName, h.verify == nil) {
		// Talk among people (Teams sends caisbot every message where it
		// may read them): no reply, nothing kept, not even who spoke.
		h.log.Debug("message not addressed to caisbot: ignored")
		return ok()
	}
	h.remember(ctx, a)
	switch a.Type {
	case typeMessage:
		if isCard {
			return h.once(ctx, a, h.showMessage(ctx, a), func() answer { return h.submit(ctx, a, v) })
		}
		return h.message(ctx, a)
	case typeInvoke:
		return h.once(ctx, a, h.showInvoke, func() answer { return h.invoke(ctx, a) })
	case typeConvUpdate, typeInstallation:
		h.installed(ctx, a)
	}
	// Other activities (typing, reactions…) need nothing from the bot.
	return ok()
}

// firm maps a tenant (and channel) to the firm whose roadmap it is.
func (h *Handler) firm(a *Activity) (firm.ID, error) {
	tenant := a.tenant()
	if tenant == "" && h.verify == nil {
		tenant = localTenant // the Playground's emulator channel names none
	}
	return h.cfg.Scope.In(firm.Teams, tenant, firmPart(a.channel()))
}

// localTenant is the firm of local-mode activities that carry no tenant.
const localTenant = "00000000-0000-0000-0000-000000000000"

// failure turns an error from dialogs into what the user sees; the cause
// goes to the log only.
func (h *Handler) failure(ctx context.Context, err error, f firm.ID) dialogs.Reply {
	return adapter.Failure(ctx, h.log, f, err)
}

// background runs f after the response; shutdown waits for it through Wait.
func (h *Handler) background(ctx context.Context, name string, f func(ctx context.Context) error) {
	h.bg.Go(ctx, "connector call", name, f)
}

// localOnly keeps a web page in the local browser from driving local mode:
// browsers mark cross-site requests, and replies may only go to loopback.
func localOnly(r *http.Request, a *Activity) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return errors.New("no app id configured: cross-site requests are refused")
	}
	if o := r.Header.Get("Origin"); o != "" && !loopbackURL(o) {
		return errors.New("no app id configured: requests from origin " + o + " are refused")
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return errors.New("no app id configured: only application/json is accepted")
	}
	if a.ServiceURL != "" && !loopbackURL(a.ServiceURL) {
		return errors.New("no app id configured: replies may only go to a loopback serviceUrl")
	}
	return nil
}

func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}
