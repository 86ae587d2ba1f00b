// Package playground is a local stand-in for Slack: a web page that looks and
// behaves like a Slack channel, and an in-process emulator of the Slack Web API
// endpoints the bot calls.
//
// Every action on the page becomes the request Slack itself would send (a
// slash command, a block_actions or view_submission payload, an Events API
// callback), signed with the signing secret and handed to the bot's
// POST /slack/events handler in process. The bot answers through its ordinary
// slack-go client pointed at APIURL; whatever it posts is kept in memory and
// pushed to the page live. Nothing in the bot is special-cased.
//
// The playground is for loopback use only: every route refuses requests that
// do not come from a loopback address.
package playground

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Token is the bot token the bot's slack-go client must send to the emulator.
const Token = "xoxb-playground"

// Identity of the app and its bot user inside the playground.
const (
	AppID     = "A0PLAYGRND"
	BotUserID = "U0CAISBOT"
	BotID     = "B0CAISBOT"
	BotName   = "caisbot"
)

// User is a person who can act on the page (the user switcher).
type User struct{ ID, Name string }

// Channel is a channel of the emulated workspace.
type Channel struct{ ID, Name string }

// Config configures a Playground. SigningSecret, Events and BaseURL are
// required; the rest have defaults.
type Config struct {
	// SigningSecret signs every request handed to Events, as Slack does.
	SigningSecret string
	// Events is the bot's POST /slack/events handler.
	Events http.Handler
	// BaseURL is where the playground is served, e.g. http://127.0.0.1:3000.
	// The bot's Web API base, response_urls and upload URLs are built on it.
	BaseURL string
	// TeamID defaults to T0PLAYGRND.
	TeamID string
	// ChannelID defaults to C0PLAYGRND.
	ChannelID string
	// ChannelName defaults to "compliance".
	ChannelName string
	// Users default to Alice (CCO), Bob (Operations) and Carol (Service bureau).
	Users []User
	// Channels are other channels everyone and the bot are in (the
	// bureau demo's firms): users.conversations lists them; the page
	// shows only ChannelID.
	Channels []Channel
	// Logger defaults to discarding.
	Logger *slog.Logger
}

// DefaultUsers are the people on the page when Config.Users is empty.
var DefaultUsers = []User{
	{ID: "U0ALICE", Name: "Alice (CCO)"},
	{ID: "U0BOB", Name: "Bob (Operations)"},
	{ID: "U0CAROL", Name: "Carol (Service bureau)"},
}

// Playground is the page, the request signer and the Web API emulator.
type Playground struct {
	cfg    Config
	secret []byte
	base   *url.URL
	log    *slog.Logger

	mu sync.Mutex
	st *state

	closeOnce sync.Once
	done      chan struct{} // closed by Close: ends live streams
}

// New checks cfg, fills in defaults and returns a ready Playground.
func New(cfg Config) (*Playground, error) {
	if cfg.SigningSecret == "" {
		return nil, errors.New("playground: SigningSecret is required")
	}
	if cfg.Events == nil {
		return nil, errors.New("playground: Events handler is required")
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("playground: BaseURL %q is not an http(s) URL", cfg.BaseURL)
	}
	cfg.BaseURL = base.String()
	if cfg.TeamID == "" {
		cfg.TeamID = "T0PLAYGRND"
	}
	if cfg.ChannelID == "" {
		cfg.ChannelID = "C0PLAYGRND"
	}
	if cfg.ChannelName == "" {
		cfg.ChannelName = "compliance"
	}
	if len(cfg.Users) == 0 {
		cfg.Users = append([]User(nil), DefaultUsers...)
	}
	seen := map[string]bool{BotUserID: true}
	for _, u := range cfg.Users {
		if u.ID == "" || u.Name == "" {
			return nil, errors.New("playground: every user needs an ID and a name")
		}
		if seen[u.ID] {
			return nil, fmt.Errorf("playground: user ID %q is used twice", u.ID)
		}
		seen[u.ID] = true
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Playground{
		cfg:    cfg,
		secret: []byte(cfg.SigningSecret),
		base:   base,
		log:    cfg.Logger.With("component", "playground"),
		st:     newState(),
		done:   make(chan struct{}),
	}, nil
}

// APIURL is the Web API base URL for the bot's slack-go client
// (slack.OptionAPIURL), used with the token Token.
func (p *Playground) APIURL() string { return p.cfg.BaseURL + "/playground/api/" }

// URL is the address of the page.
func (p *Playground) URL() string { return p.cfg.BaseURL + "/" }

// TeamID is the emulated workspace's team id.
func (p *Playground) TeamID() string { return p.cfg.TeamID }

// Close ends the page's live streams so that http.Server.Shutdown does not
// wait for them. The playground keeps answering other requests.
func (p *Playground) Close() {
	p.closeOnce.Do(func() { close(p.done) })
}

// Handler serves GET / (the page) and everything under /playground/.
// It does not serve /slack/events.
func (p *Playground) Handler() http.Handler {
	mux := http.NewServeMux()
	p.routes(mux)
	return p.loopbackOnly(mux)
}

func (p *Playground) routes(mux *http.ServeMux) {
	// The page and its assets.
	mux.HandleFunc("GET /{$}", p.handlePage)
	mux.HandleFunc("GET /playground/{$}", p.handlePage)
	mux.Handle("GET /playground/static/", p.staticHandler())
	mux.HandleFunc("GET /playground/state", p.handleState)
	mux.HandleFunc("GET /playground/stream", p.handleStream)

	// What the page does, turned into signed Slack requests.
	mux.HandleFunc("POST /playground/do/{action}", p.handleDo)

	// The Slack side: Web API, response_url, file upload and download.
	mux.HandleFunc("POST /playground/api/{method}", p.handleAPI)
	mux.HandleFunc("GET /playground/api/{method}", p.handleAPI)
	mux.HandleFunc("POST /playground/response/{id}", p.handleResponseURL)
	mux.HandleFunc("POST /playground/upload/{id}", p.handleUpload)
	mux.HandleFunc("GET /playground/files/{id}/{name}", p.handleDownload)
}

// userByID returns the configured user with that ID.
func (p *Playground) userByID(id string) (User, bool) {
	for _, u := range p.cfg.Users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

// handle is the Slack "username" of a user: the first word of the name,
// lower-cased, e.g. "alice".
func handle(u User) string {
	var b strings.Builder
	for _, r := range strings.ToLower(u.Name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			continue
		}
		if b.Len() > 0 {
			break
		}
	}
	if b.Len() == 0 {
		return strings.ToLower(u.ID)
	}
	return b.String()
}
