package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/caisbot/caisbot/announce"
	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/bot/playground"
	"github.com/caisbot/caisbot/bot/slackbot"
	"github.com/caisbot/caisbot/bot/teams"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/packet"
	"github.com/caisbot/caisbot/store"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func (a *App) openRedis() error {
	url := a.cfg.RedisURL
	if url == "" && len(a.cfg.RedisAddrs) == 0 {
		u, stop, err := store.Embedded()
		if err != nil {
			return err
		}
		a.closers = append(a.closers, stop)
		url = u
		a.log.Warn("REDIS_URL is not set: using an embedded in-memory Redis. NOTHING PERSISTS: every confirmation and the audit trail are lost when caisbot stops. Set REDIS_URL for real use.")
	}
	rdb, err := store.Open(store.Config{URL: url, Addrs: a.cfg.RedisAddrs, SentinelMaster: a.cfg.RedisSentinelMaster})
	if err != nil {
		return err
	}
	a.rdb = rdb
	rdb.AddHook(a.metrics.RedisHook())
	for _, h := range a.opts.redisHooks {
		rdb.AddHook(h)
	}
	a.closers = append(a.closers, func() { _ = rdb.Close() })
	a.store = store.New(rdb, a.cfg.RedisPrefix)
	return nil
}

// keepRoadmap keeps the roadmap's text in Redis by its SHA-256 the first
// time the bot runs with it, so that the entries naming it can be
// replayed against it (and shown with it) later.
func (a *App) keepRoadmap() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := a.cfg.roadmap
	sum, added, err := a.store.KeepRoadmap(ctx, r.Text())
	if err != nil {
		return fmt.Errorf("%s: keeping the roadmap text in Redis: %w", a.cfg.redisSetting(), err)
	}
	if added {
		a.log.Info("roadmap kept in Redis for the record", "version", r.Version, "sha256", sum, "file", a.cfg.RoadmapFile)
	}
	return nil
}

// service is the one dialogs.Service every platform shares.
func (a *App) service() (*dialogs.Service, error) {
	flow := &dialogs.Flow{Roadmap: a.cfg.roadmap, Admins: canonical(a.cfg.AdminUsers), Principals: canonical(a.cfg.Principals), Loc: a.cfg.loc}
	svc, err := dialogs.NewService(flow, a.store, a.cfg.clock())
	if err == nil {
		svc.OnIntegrity = a.metrics.IntegrityFailure
		svc.Packager = packet.Packager{}
		svc.Roles, svc.Firms = a.store, a.store // roles per workspace; the bureau console
	}
	return svc, err
}

// canonical is users as the platforms name them: Slack ids pass
// unchanged; Entra ids are normalised.
func canonical(users []string) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = teams.CanonicalUser(u)
	}
	return out
}

func (a *App) wireSlack() error {
	secret, token, apiURL := a.cfg.SlackSigningSecret, a.cfg.SlackBotToken, a.cfg.SlackAPIURL
	if secret == "" {
		// Socket Mode and the playground need no secret from the operator;
		// HTTP requests then cannot be forged without knowing this one.
		secret = randomSecret()
	}
	if a.cfg.playground() {
		pgc := playground.Config{SigningSecret: secret, BaseURL: a.BaseURL(), Logger: a.log, Events: http.HandlerFunc(a.events)}
		if a.cfg.PlaygroundDemo {
			pgc.Channels = demoChannels()
		}
		pg, err := playground.New(pgc)
		if err != nil {
			return err
		}
		a.pg = pg
		token, apiURL = playground.Token, pg.APIURL()
	}
	// Each call is bounded by its context (adapter.Bounded), not by
	// Client.Timeout, which costs a goroutine per call over a wrapped transport.
	httpc := &http.Client{Transport: a.metrics.Transport(adapter.Bounded(a.slackTransport(), 10*time.Second))}
	api := slack.New(token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(httpc))
	once, err := adapter.NewOnce(a.store, a.log)
	if err != nil {
		return err
	}
	cfg := slackbot.Config{SigningSecret: secret, Scope: a.cfg.scope, Service: a.svc, API: api, HTTP: httpc, Logger: a.log, Viewers: a.store, Observe: a.metrics.Observe, Once: once, OnShed: a.metrics.Shed}
	if a.opts.noHomeViewers {
		cfg.Viewers = nil
	}
	announcer := func(context.Context, string) (slackbot.AnnounceAPI, error) { return api, nil }
	if a.cfg.multi() {
		if announcer, err = a.wireInstalls(&cfg, httpc); err != nil {
			return err
		}
	}
	h, err := slackbot.New(cfg)
	if err != nil {
		return err
	}
	a.slack = h
	poster, err := slackbot.NewPosterFor(announcer, "")
	if err != nil {
		return err
	}
	a.posters[firm.Slack] = poster
	if a.cfg.SlackAppToken != "" {
		sapi := slack.New(token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(httpc), slack.OptionAppLevelToken(a.cfg.SlackAppToken))
		a.socket = socketmode.New(sapi, socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)))
	}
	return nil
}

// slackTransport is what carries Slack calls. Go's default keeps 2 idle
// connections per host: under load every Slack call would open (and
// TLS-handshake) a new one.
func (a *App) slackTransport() http.RoundTripper {
	if a.opts.slackTransport != nil {
		return a.opts.slackTransport
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return tr
}

// slackEvents reports whether POST /slack/events is served: Slack over
// HTTP, or Socket Mode with a signing secret, or the playground.
func (a *App) slackEvents() bool {
	return a.slack != nil && (a.cfg.SlackAppToken == "" || a.cfg.SlackSigningSecret != "")
}

// events lets the playground, built before the Slack handler, call it.
func (a *App) events(w http.ResponseWriter, r *http.Request) { a.slack.ServeHTTP(w, r) }

func (a *App) wireTeams() error {
	once, err := adapter.NewOnce(a.store, a.log)
	if err != nil {
		return err
	}
	h, err := teams.New(teams.Config{
		Once:  once,
		AppID: a.cfg.MicrosoftAppID, AppPassword: a.cfg.MicrosoftAppPassword,
		AppType: a.cfg.MicrosoftAppType, TenantID: a.cfg.MicrosoftAppTenantID,
		Scope: a.cfg.scope, Service: a.svc, Store: teams.StoreDirectory(a.store.Directory(firm.Teams)),
		HTTP:      &http.Client{Timeout: 10 * time.Second},
		Logger:    a.log.With("platform", "teams"),
		Observe:   func(kind, outcome string, d time.Duration) { a.metrics.Observe("teams_"+kind, outcome, d) },
		OnShed:    a.metrics.Shed,
		Announced: func(e string) { a.metrics.Announcements.WithLabelValues(e).Inc() },
	})
	if err != nil {
		return err
	}
	a.teams = h
	a.posters[firm.Teams] = h.Poster()
	return nil
}

// schedule builds the deadline-announcement scheduler: every replica runs
// one, it hands each firm's reminders to the poster of the firm's own
// platform (firms of a platform not wired here are left for a deployment
// that has it), and Redis claims keep posts exactly once.
func (a *App) schedule() error {
	s, err := announce.New(announce.Config{Service: a.svc, Firms: a.store, Ledger: a.store, Posters: a.posters,
		Now: a.svc.Now, Logger: a.log.With("component", "announce"),
		Observe: func(e string) { a.metrics.Announcements.WithLabelValues(e).Inc() }})
	if err != nil {
		return err
	}
	a.scheduler = s
	return nil
}

func randomSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// redisSetting names the setting that chose the Redis start-up first
// talks to, so a refusal there (a DB index out of range, a wrong
// password) names what to fix.
func (c *Config) redisSetting() string {
	if len(c.RedisAddrs) > 0 {
		return "REDIS_ADDRS"
	}
	return "REDIS_URL"
}
