package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/kelseyhightower/envconfig"
)

// Config is every setting, read from the environment. The README's
// settings table mirrors it.
type Config struct {
	SlackBotToken       string   `envconfig:"SLACK_BOT_TOKEN"`
	SlackSigningSecret  string   `envconfig:"SLACK_SIGNING_SECRET"`
	SlackAppToken       string   `envconfig:"SLACK_APP_TOKEN"`
	SlackAPIURL         string   `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`
	RedisURL            string   `envconfig:"REDIS_URL"`
	RedisAddrs          []string `envconfig:"REDIS_ADDRS"`
	RedisSentinelMaster string   `envconfig:"REDIS_SENTINEL_MASTER"`
	ListenAddr          string   `envconfig:"CAIS_LISTEN_ADDR" default:":3000"`
	RedisPrefix         string   `envconfig:"CAIS_REDIS_PREFIX" default:"cais:"`
	Scope               string   `envconfig:"CAIS_SCOPE" default:"workspace"`
	AdminUsers          []string `envconfig:"CAIS_ADMIN_USERS"`
	Principals          []string `envconfig:"CAIS_PRINCIPALS"`
	Timezone            string   `envconfig:"CAIS_TIMEZONE" default:"America/New_York"`
	RoadmapFile         string   `envconfig:"CAIS_ROADMAP_FILE"`
	Now                 string   `envconfig:"CAIS_NOW"`
	LogLevel            string   `envconfig:"CAIS_LOG_LEVEL" default:"info"`
	// PlaygroundDemo starts the playground with a bureau's demo firms
	// (demo.go).
	PlaygroundDemo Switch `envconfig:"CAIS_PLAYGROUND_DEMO"`

	// Multi-workspace mode ("Add to Slack"): see multi.
	SlackClientID     string `envconfig:"SLACK_CLIENT_ID"`
	SlackClientSecret string `envconfig:"SLACK_CLIENT_SECRET"`
	TokenKey          string `envconfig:"CAIS_TOKEN_KEY"`
	PublicURL         string `envconfig:"CAIS_PUBLIC_URL"`

	MicrosoftAppID       string `envconfig:"MICROSOFT_APP_ID"`
	MicrosoftAppPassword string `envconfig:"MICROSOFT_APP_PASSWORD"`
	MicrosoftAppTenantID string `envconfig:"MICROSOFT_APP_TENANT_ID"`
	MicrosoftAppType     string `envconfig:"MICROSOFT_APP_TYPE" default:"MultiTenant"`

	scope    firm.Scope
	loc      *time.Location
	roadmap  *dialogs.Roadmap
	logLevel slog.Level
	start    time.Time
	tokenKey []byte // CAIS_TOKEN_KEY decoded: 32 bytes
}

// playground reports whether no chat platform is configured: run the
// local page, with both platforms on loopback.
func (c *Config) playground() bool {
	return c.SlackBotToken == "" && c.SlackAppToken == "" && c.MicrosoftAppID == "" && c.SlackClientID == ""
}

// multi reports whether caisbot installs into many Slack workspaces
// through OAuth: a client id and no bot token (Check refuses both).
func (c *Config) multi() bool { return c.SlackClientID != "" && c.SlackBotToken == "" }

// slackOn reports whether Slack is wired: a bot token, multi-workspace
// mode, or the playground.
func (c *Config) slackOn() bool { return c.SlackBotToken != "" || c.multi() || c.playground() }

// teamsOn reports whether Teams is wired: an app id, or locally (loopback
// only) in the playground; a Slack-only production deployment does not
// expose it.
func (c *Config) teamsOn() bool { return c.MicrosoftAppID != "" || c.playground() }

// Load reads the configuration from the environment and checks it. Every
// error names the variable, in one line, and never echoes a secret.
func Load() (*Config, error) {
	var c Config
	if err := envconfig.Process("", &c); err != nil {
		if pe := (*envconfig.ParseError)(nil); errors.As(err, &pe) {
			err = fmt.Errorf("%s: %w", pe.KeyName, pe.Err)
		}
		return nil, oneLine(err)
	}
	return &c, c.Check()
}

// Check gives empty settings their defaults and validates them, as Load
// does for the environment; a Config built in code (cmd/caisload) must
// pass it before New. Its errors are Load's.
func (c *Config) Check() error {
	c.defaults()
	return c.check()
}

// Switch is an on/off setting. Set to "", it is off, like an unset one
// (a bool would refuse to start).
type Switch bool

// Decode reads "true", "1", "false", "0" and the like, or "".
func (s *Switch) Decode(v string) error {
	if v == "" {
		*s = false
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%q is not true or false (1 or 0)", v)
	}
	*s = Switch(b)
	return nil
}

// defaults treats a variable set to "" like an unset one, as compose and
// Kubernetes users expect (envconfig keeps the empty string).
func (c *Config) defaults() {
	t, v := reflect.TypeOf(*c), reflect.ValueOf(c).Elem()
	for i := range t.NumField() {
		if def, ok := t.Field(i).Tag.Lookup("default"); ok && v.Field(i).Kind() == reflect.String && v.Field(i).String() == "" {
			v.Field(i).SetString(def)
		}
	}
}

func (c *Config) check() error {
	if err := c.checkMulti(); err != nil {
		return err
	}
	var err error
	switch {
	case c.logLevel.UnmarshalText([]byte(c.LogLevel)) != nil:
		return fmt.Errorf("CAIS_LOG_LEVEL must be debug, info, warn or error, not %q", c.LogLevel)
	case c.SlackBotToken != "" && !strings.HasPrefix(c.SlackBotToken, "xoxb-"):
		return errors.New("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
	case c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-"):
		return errors.New("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
	case c.SlackAppToken != "" && c.SlackBotToken == "":
		return errors.New("SLACK_APP_TOKEN (Socket Mode) also needs SLACK_BOT_TOKEN")
	case c.SlackBotToken != "" && c.SlackAppToken == "" && c.SlackSigningSecret == "":
		return errors.New("SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN in HTTP mode")
	case c.MicrosoftAppID != "" && c.MicrosoftAppPassword == "":
		return errors.New("MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID")
	case c.MicrosoftAppType != "SingleTenant" && c.MicrosoftAppType != "MultiTenant":
		return fmt.Errorf("MICROSOFT_APP_TYPE must be SingleTenant or MultiTenant, not %q", c.MicrosoftAppType)
	case c.MicrosoftAppID != "" && c.MicrosoftAppType == "SingleTenant" && c.MicrosoftAppTenantID == "":
		return errors.New("MICROSOFT_APP_TENANT_ID is required with MICROSOFT_APP_TYPE=SingleTenant")
	case c.RedisSentinelMaster != "" && len(c.RedisAddrs) == 0:
		return errors.New("REDIS_SENTINEL_MASTER needs the Sentinel addresses in REDIS_ADDRS")
	case strings.Contains(c.SlackSigningSecret, "REPLACE"):
		return errors.New("SLACK_SIGNING_SECRET is still the REPLACE-ME placeholder from deploy/: set the app's signing secret, or leave it empty in Socket Mode")
	case strings.Contains(c.SlackBotToken, "REPLACE"), strings.Contains(c.SlackAppToken, "REPLACE"):
		return errors.New("SLACK_BOT_TOKEN / SLACK_APP_TOKEN is still a REPLACE-ME placeholder from deploy/")
	}
	if c.scope, err = firm.ParseScope(c.Scope); err != nil {
		return fmt.Errorf("CAIS_SCOPE must be workspace or channel, not %q", c.Scope)
	}
	if bool(c.PlaygroundDemo) && (!c.playground() || c.scope != firm.ChannelScope) {
		return errors.New("CAIS_PLAYGROUND_DEMO needs the playground (no Slack or Teams settings) and CAIS_SCOPE=channel")
	}
	if c.AdminUsers, err = userIDs("CAIS_ADMIN_USERS", c.AdminUsers); err != nil {
		return err
	}
	if c.Principals, err = userIDs("CAIS_PRINCIPALS", c.Principals); err != nil {
		return err
	}
	if err := checkURL("SLACK_API_URL", c.SlackAPIURL, "http", "https"); err != nil {
		return err
	}
	if c.RedisURL != "" {
		if err := checkURL("REDIS_URL", c.RedisURL, "redis", "rediss"); err != nil {
			return err
		}
	}
	if c.loc, err = time.LoadLocation(c.Timezone); err != nil {
		return fmt.Errorf("CAIS_TIMEZONE: unknown time zone %q", c.Timezone)
	}
	c.start = time.Now()
	if c.Now != "" {
		if c.start, err = time.Parse(time.RFC3339, c.Now); err != nil {
			return fmt.Errorf("CAIS_NOW: %q is not an RFC 3339 instant (e.g. 2027-05-01T08:59:00-04:00)", c.Now)
		}
	}
	c.roadmap = dialogs.Default()
	if c.RoadmapFile != "" {
		if c.roadmap, err = dialogs.LoadFile(c.RoadmapFile); err != nil {
			return fmt.Errorf("CAIS_ROADMAP_FILE: %s", oneLine(err))
		}
	}
	return nil
}

// roadmapWarnings are what the operator should know about the roadmap
// at start-up (on the bot's clock, so CAIS_NOW counts): a missing version
// or review date, a review more than six months old, notes without a
// source.
func (c *Config) roadmapWarnings() []string { return c.roadmap.Warnings(c.start) }

// checkURL validates a URL without ever printing it (it may hold a password).
func checkURL(name, raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("%s is not a valid URL", name)
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return nil
		}
	}
	return fmt.Errorf("%s: scheme %q is not one of %s", name, u.Scheme, strings.Join(schemes, ", "))
}

func oneLine(err error) error {
	return errors.New(strings.Join(strings.Fields(err.Error()), " "))
}

// clock starts at CAIS_NOW (or now) and runs on in real time.
func (c *Config) clock() func() time.Time {
	real := time.Now()
	offset := c.start.Sub(real)
	return func() time.Time { return time.Now().Add(offset) }
}

var adminID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{1,63}$`)

// userIDs reads the user list of variable name (admins, principals): it
// trims the list ("U1, U2" is two users), drops empty entries and refuses
// anything that is not a user ID, so a typo cannot silently leave a firm
// without its admin or its approver.
func userIDs(name string, in []string) ([]string, error) {
	var out []string
	for _, id := range in {
		id = strings.TrimSpace(id)
		switch {
		case id == "":
			continue
		case !adminID.MatchString(id):
			return nil, fmt.Errorf("%s: %q is not a user ID (Slack: U0123ABCD; Teams: an Entra object ID)", name, id)
		}
		out = append(out, id)
	}
	return out, nil
}
