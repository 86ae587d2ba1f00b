package slackbot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/install"
	"github.com/slack-go/slack"
)

// BotScopes are the bot scopes caisbot asks for when a workspace adds it:
// the ones deploy/slack-app-manifest.yaml lists (a deploy test keeps the
// two alike).
var BotScopes = []string{"commands", "chat:write", "chat:write.public", "files:write", "channels:history", "groups:history", "users:read",
	"channels:read", "groups:read", "im:write"}

// Paths of the OAuth endpoints, under CAIS_PUBLIC_URL.
const (
	InstallPath  = "/slack/install"
	RedirectPath = "/slack/oauth_redirect"
)

// stateTTL is how long an "Add to Slack" link works (Bolt's default).
const stateTTL = 10 * time.Minute

// stateCookie carries the browser's half of the state: the state is only
// taken back from the browser that was given it.
const stateCookie = "caisbot_oauth"

// OAuthConfig holds the OAuth endpoints' dependencies.
type OAuthConfig struct {
	ClientID, ClientSecret string
	// PublicURL is CAIS_PUBLIC_URL without a trailing slash.
	PublicURL string
	// APIURL is SLACK_API_URL: oauth.v2.access is called under it.
	APIURL string
	// HTTP calls oauth.v2.access; it must have a timeout.
	HTTP     *http.Client
	States   States
	Installs Installs
	// Admins, if set, makes the installing user the workspace's first
	// admin (dialogs.Service has it).
	Admins FirstAdmins
	Logger *slog.Logger
	// InsecureCookie drops the cookie's Secure flag, for an http://
	// loopback PublicURL only.
	InsecureCookie bool
	Now            func() time.Time
	// Installed, if set, is told of each installation saved, before the
	// page is shown (a reinstall resumes the workspace's announcements);
	// its failure is logged, the install stands.
	Installed func(ctx context.Context, in install.Installation) error
}

// States keeps each state handed out until it is taken back once
// (store.Redis has it).
type States interface {
	PutOAuthState(ctx context.Context, state string, value []byte, ttl time.Duration) error
	TakeOAuthState(ctx context.Context, state string) (value []byte, found bool, err error)
}

// Installs keeps installations (install.Store has it).
type Installs interface {
	Save(ctx context.Context, in install.Installation) error
}

// FirstAdmins records who installed caisbot in a workspace as its first
// admin, unless it has admins of its own already.
type FirstAdmins interface {
	FirstAdmin(ctx context.Context, w firm.Workspace, user, name string, at time.Time) error
}

// OAuth serves GET /slack/install and GET /slack/oauth_redirect.
type OAuth struct {
	cfg        OAuthConfig
	cookiePath string // where the browser sees /slack/ (behind a path prefix too)
}

// NewOAuth checks the configuration.
func NewOAuth(cfg OAuthConfig) (*OAuth, error) {
	switch {
	case cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.PublicURL == "" || cfg.APIURL == "":
		return nil, errors.New("slackbot: OAuth needs the client id and secret, the public URL and the API URL")
	case cfg.States == nil || cfg.Installs == nil:
		return nil, errors.New("slackbot: OAuth needs a state store and an installation store")
	}
	pub, err := url.Parse(cfg.PublicURL)
	if err != nil || pub.Host == "" {
		return nil, errors.New("slackbot: OAuth's public URL is not an absolute URL")
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &OAuth{cfg: cfg, cookiePath: strings.TrimSuffix(pub.Path, "/") + "/slack/"}, nil
}

func (o *OAuth) redirectURI() string { return o.cfg.PublicURL + RedirectPath }

// InstallURL is the page that starts an install, for replies that tell
// people where to add caisbot.
func (o *OAuth) InstallURL() string { return o.cfg.PublicURL + InstallPath }

// random is 32 bytes from crypto/rand, base64url: 43 characters.
func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// stateShape is what random makes; anything else was never handed out.
var stateShape = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// bound is what Redis keeps for a state: the hash of the browser's
// cookie, so a copy of Redis cannot be used to forge the cookie.
func bound(cookie string) []byte {
	h := sha256.Sum256([]byte("caisbot oauth state cookie\x00" + cookie))
	return h[:]
}

// Install serves the page with the "Add to Slack" link: a fresh state,
// kept for 10 minutes, and its cookie.
func (o *OAuth) Install(w http.ResponseWriter, r *http.Request) {
	state, browser := random(), random()
	if err := o.cfg.States.PutOAuthState(r.Context(), state, bound(browser), stateTTL); err != nil {
		o.cfg.Logger.Error("oauth: cannot keep the state", "err", err)
		o.page(w, http.StatusServiceUnavailable, failedPage("caisbot cannot start an install right now",
			"Its database did not answer. Nothing was installed. Please try again in a minute.", o.InstallURL()))
		return
	}
	http.SetCookie(w, o.cookie(browser, int(stateTTL/time.Second)))
	q := url.Values{"client_id": {o.cfg.ClientID}, "scope": {strings.Join(BotScopes, ",")}, "redirect_uri": {o.redirectURI()}, "state": {state}}
	o.page(w, http.StatusOK, installPage("https://slack.com/oauth/v2/authorize?"+q.Encode(), BotScopes))
}

func (o *OAuth) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: stateCookie, Value: value, Path: o.cookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: !o.cfg.InsecureCookie, SameSite: http.SameSiteLaxMode}
}

// Redirect is where Slack sends the browser back: the state is taken
// (once), checked against the cookie, and the code exchanged for the
// workspace's token. Every refusal is a page with a 4xx and stores
// nothing; the log names the workspace, never a code, state or token.
func (o *OAuth) Redirect(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, o.cookie("", -1)) // the state is used up either way
	status, p := o.redirect(r)
	o.page(w, status, p)
}

func (o *OAuth) redirect(r *http.Request) (int, page) {
	ctx, log := r.Context(), o.cfg.Logger
	q, err := url.ParseQuery(r.URL.RawQuery)
	state := q.Get("state")
	if err != nil || !stateShape.MatchString(state) {
		log.Warn("oauth: redirect without a valid state")
		return http.StatusBadRequest, o.again("This link is not a caisbot install link", "It carries no install state caisbot handed out.")
	}
	held, found, err := o.cfg.States.TakeOAuthState(ctx, state)
	switch {
	case err != nil:
		log.Error("oauth: cannot take the state", "err", err)
		return http.StatusServiceUnavailable, o.again("caisbot cannot finish the install right now", "Its database did not answer. Nothing was installed.")
	case !found:
		log.Warn("oauth: unknown, expired or used state")
		return http.StatusBadRequest, o.again("This install link has expired or was already used", "Each link works once, for 10 minutes. Nothing was installed.")
	}
	c, err := r.Cookie(stateCookie)
	if err != nil || subtle.ConstantTimeCompare(bound(c.Value), held) != 1 {
		log.Warn("oauth: state used from another browser")
		return http.StatusBadRequest, o.again("This install was started in another browser", "Finish it in the browser where you clicked “Add to Slack”. Nothing was installed.")
	}
	if e := q.Get("error"); e != "" {
		log.Info("oauth: install not approved", "slack_error", clip(e, 64))
		if e == "access_denied" {
			return http.StatusForbidden, o.again("caisbot was not added", "You (or your workspace's policy) did not allow it. Nothing was installed.")
		}
		return http.StatusBadRequest, o.again("Slack did not complete the install", "Slack answered: "+clip(e, 64)+". Nothing was installed.")
	}
	code := q.Get("code")
	if code == "" || len(code) > 512 {
		log.Warn("oauth: redirect without a code")
		return http.StatusBadRequest, o.again("Slack sent no install code", "Nothing was installed.")
	}
	return o.exchange(ctx, code)
}

// again is a refusal page that links to a fresh install.
func (o *OAuth) again(title, text string) page { return failedPage(title, text, o.InstallURL()) }

// exchange trades the code for the installation and keeps it.
func (o *OAuth) exchange(ctx context.Context, code string) (int, page) {
	log := o.cfg.Logger
	resp, err := slack.GetOAuthV2ResponseContext(ctx, o.cfg.HTTP, o.cfg.ClientID, o.cfg.ClientSecret, code, o.redirectURI(),
		slack.OAuthOptionAPIURL(o.cfg.APIURL))
	if err != nil {
		log.Warn("oauth: oauth.v2.access failed", "err", exchangeError(err))
		return http.StatusBadRequest, o.again("Slack did not confirm the install", "Nothing was installed. Please start again; if it fails again, ask the operator to check the app's client id and secret.")
	}
	in, problem := installation(resp, o.cfg.Now())
	if problem != "" {
		log.Warn("oauth: unusable oauth.v2.access answer", "problem", problem, "team", resp.Team.ID, "enterprise", resp.Enterprise.ID)
		return http.StatusBadRequest, o.again("Slack's answer cannot be used", problem+" Nothing was installed.")
	}
	if err := o.cfg.Installs.Save(ctx, in); err != nil {
		log.Error("oauth: cannot save the installation", "team", in.TeamID, "enterprise", in.EnterpriseID, "err", err)
		return http.StatusServiceUnavailable, o.again("caisbot cannot finish the install right now", "Its database did not answer. Please start again.")
	}
	o.firstAdmin(ctx, in)
	if o.cfg.Installed != nil {
		if err := o.cfg.Installed(ctx, in); err != nil {
			log.Error("oauth: installed, but what follows an install failed (installing again retries it)", "team", in.TeamID, "enterprise", in.EnterpriseID, "err", err)
		}
	}
	log.Info("slack app installed", "team", in.TeamID, "team_name", in.TeamName, "enterprise", in.EnterpriseID,
		"org_wide", in.IsEnterpriseInstall, "installer", in.InstallerID, "scopes", strings.Join(in.Scopes, ","))
	return http.StatusOK, installedPage(in)
}

// exchangeError is what the log keeps of a failed exchange: Slack's
// error code, or the kind of failure; never the request (it holds the
// code and the client secret).
func exchangeError(err error) string {
	var se slack.SlackErrorResponse
	var sc slack.StatusCodeError
	switch {
	case errors.As(err, &se):
		return "slack answered " + clip(se.Err, 64)
	case errors.As(err, &sc):
		return "slack answered HTTP " + sc.Status
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	return "request failed"
}

// installation reads oauth.v2.access's answer: a bot token for a team,
// or for an organization when the install is org-wide. problem says, for
// the page, why an answer cannot be used.
func installation(r *slack.OAuthV2Response, now time.Time) (in install.Installation, problem string) {
	in = install.Installation{TeamID: r.Team.ID, TeamName: r.Team.Name, EnterpriseID: r.Enterprise.ID, EnterpriseName: r.Enterprise.Name,
		IsEnterpriseInstall: r.IsEnterpriseInstall, AppID: r.AppID, BotToken: install.Token(r.AccessToken), BotUserID: r.BotUserID,
		InstallerID: r.AuthedUser.ID, InstalledAt: now.UTC(), RefreshToken: install.Token(r.RefreshToken)}
	if r.Scope != "" {
		in.Scopes = strings.Split(r.Scope, ",")
	}
	if r.ExpiresIn > 0 {
		in.ExpiresAt = in.InstalledAt.Add(time.Duration(r.ExpiresIn) * time.Second)
	}
	if r.TokenType != "bot" || !strings.HasPrefix(r.AccessToken, "xoxb-") && !strings.HasPrefix(r.AccessToken, "xoxe.xoxb-") {
		return install.Installation{}, "Slack returned no bot token."
	}
	if _, err := in.Key(); err != nil {
		return install.Installation{}, "Slack named no workspace or organization."
	}
	return in, ""
}

// firstAdmin makes the installer the workspace's first admin. An
// org-wide install names no one workspace, so it makes no one an admin
// (the operator's CAIS_ADMIN_USERS apply). A failure leaves the install
// standing: it is logged, and installing again records the admin.
func (o *OAuth) firstAdmin(ctx context.Context, in install.Installation) {
	if o.cfg.Admins == nil || in.IsEnterpriseInstall || in.TeamID == "" || in.InstallerID == "" {
		return
	}
	w := firm.Workspace{Platform: firm.Slack, ID: in.TeamID}
	if err := o.cfg.Admins.FirstAdmin(ctx, w, in.InstallerID, "", o.cfg.Now()); err != nil {
		o.cfg.Logger.Error("oauth: cannot record the installer as the workspace's first admin", "team", in.TeamID, "installer", in.InstallerID, "err", err)
	}
}
