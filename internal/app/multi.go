package app

import (
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/caisbot/caisbot/bot/slackbot"
	"github.com/caisbot/caisbot/install"
	"github.com/caisbot/caisbot/workspace"
)

// tokenKeyLen is AES-256's key size: CAIS_TOKEN_KEY must decode to it.
const tokenKeyLen = 32

// checkMulti checks the multi-workspace settings. With SLACK_CLIENT_ID and
// no SLACK_BOT_TOKEN caisbot installs into any workspace through OAuth:
// it then needs the key that seals every stored token, the public URL
// Slack redirects browsers to, and the signing secret (this mode is HTTP
// only: one app-level token cannot serve workspaces that installed the
// app themselves, so SLACK_APP_TOKEN is refused).
func (c *Config) checkMulti() error {
	switch {
	case c.SlackClientID != "" && c.SlackClientSecret == "":
		return errors.New("SLACK_CLIENT_SECRET is required with SLACK_CLIENT_ID")
	case c.SlackClientSecret != "" && c.SlackClientID == "":
		return errors.New("SLACK_CLIENT_ID is required with SLACK_CLIENT_SECRET")
	case strings.Contains(c.SlackClientSecret, "REPLACE"):
		return errors.New("SLACK_CLIENT_SECRET is still a REPLACE-ME placeholder from deploy/")
	case strings.Contains(c.TokenKey, "REPLACE"):
		return errors.New("CAIS_TOKEN_KEY is still a REPLACE-ME placeholder from deploy/: generate one with `openssl rand -base64 32`")
	case c.SlackClientID != "" && c.SlackBotToken != "":
		return errors.New("SLACK_CLIENT_ID and SLACK_BOT_TOKEN: set the client id and secret to install into many workspaces, or the bot token for one, not both")
	case c.SlackClientID != "" && c.SlackAppToken != "":
		return errors.New("SLACK_APP_TOKEN (Socket Mode) cannot be used with SLACK_CLIENT_ID: installing into many workspaces needs HTTP mode and a public URL")
	case c.multi() && c.SlackSigningSecret == "":
		return errors.New("SLACK_SIGNING_SECRET is required with SLACK_CLIENT_ID")
	case c.multi() && c.TokenKey == "":
		return errors.New("CAIS_TOKEN_KEY is required with SLACK_CLIENT_ID: base64 of 32 random bytes (`openssl rand -base64 32`)")
	case c.multi() && c.PublicURL == "":
		return errors.New("CAIS_PUBLIC_URL is required with SLACK_CLIENT_ID: the https:// address where Slack reaches caisbot")
	}
	if c.TokenKey != "" {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(c.TokenKey))
		if err != nil || len(k) != tokenKeyLen {
			// Never echo the value: it is the key to every stored token.
			return errors.New("CAIS_TOKEN_KEY must be standard base64 of exactly 32 bytes (`openssl rand -base64 32`)")
		}
		c.tokenKey = k
	}
	if c.PublicURL != "" {
		u, err := publicURL(c.PublicURL)
		if err != nil {
			return err
		}
		c.PublicURL = u
	}
	if c.multi() && c.RedisURL == "" && len(c.RedisAddrs) == 0 {
		// The embedded Redis would lose every workspace's installation
		// (its sealed token) at the first restart, and caisbot with it.
		return errors.New("REDIS_URL (or REDIS_ADDRS) is required with SLACK_CLIENT_ID: each workspace's installation is kept in Redis, and the embedded in-memory one loses them all when caisbot stops")
	}
	return nil
}

// publicURL checks CAIS_PUBLIC_URL and returns it without a trailing
// slash. Slack only redirects to https; plain http is accepted for a
// loopback host alone, so tests and a local try-out need no certificate
// while no real deployment can send an OAuth code in clear.
func publicURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return "", errors.New("CAIS_PUBLIC_URL is not an absolute URL (e.g. https://caisbot.example.com)")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", errors.New("CAIS_PUBLIC_URL must be a base URL, without user, query or fragment")
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback(u.Hostname()):
	default:
		return "", errors.New("CAIS_PUBLIC_URL must use https (http only for localhost or 127.0.0.1)")
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// insecureCookies reports whether the OAuth cookie may go over plain
// http: only with a loopback CAIS_PUBLIC_URL.
func (c *Config) insecureCookies() bool { return strings.HasPrefix(c.PublicURL, "http://") }

// wireInstalls sets the Slack adapter up for multi-workspace mode: each
// request's calls use its workspace's installation, which the OAuth
// endpoints create; it returns the reminders' clients, per workspace too.
func (a *App) wireInstalls(cfg *slackbot.Config, httpc *http.Client) (slackbot.AnnounceClients, error) {
	installs, err := install.NewStore(a.store, a.cfg.tokenKey)
	if err != nil {
		return nil, err
	}
	clients, err := slackbot.NewInstalled(installs, a.cfg.SlackAPIURL, httpc)
	if err != nil {
		return nil, err
	}
	rotator, err := slackbot.NewRotator(slackbot.RotatorConfig{ClientID: a.cfg.SlackClientID, ClientSecret: a.cfg.SlackClientSecret,
		APIURL: a.cfg.SlackAPIURL, HTTP: httpc, Store: installs, Locks: a.store, Logger: a.log.With("component", "token_rotation")})
	if err != nil {
		return nil, err
	}
	clients.Rotate(rotator)
	life := &workspace.Lifecycle{Installs: installs, Records: a.store, Announcements: a.svc, Log: a.log.With("component", "workspace_lifecycle")}
	a.oauth, err = slackbot.NewOAuth(slackbot.OAuthConfig{ClientID: a.cfg.SlackClientID, ClientSecret: a.cfg.SlackClientSecret,
		PublicURL: a.cfg.PublicURL, APIURL: a.cfg.SlackAPIURL, HTTP: httpc, States: a.store, Installs: installs, Admins: a.svc,
		Logger: a.log.With("component", "oauth"), InsecureCookie: a.cfg.insecureCookies(), Installed: life.Installed})
	if err != nil {
		return nil, err
	}
	cfg.API, cfg.Clients, cfg.InstallURL, cfg.Lifecycle = nil, clients, a.oauth.InstallURL(), life
	a.log.Info("multi-workspace mode: workspaces add caisbot at " + a.oauth.InstallURL())
	return clients.Announcer, nil
}
