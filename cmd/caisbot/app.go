package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/caisbot/caisbot/announce"
	"github.com/caisbot/caisbot/bot/playground"
	"github.com/caisbot/caisbot/bot/slackbot"
	"github.com/caisbot/caisbot/bot/teams"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/metrics"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// app is the wired process: one Redis, one Slack handler, one HTTP server.
type app struct {
	cfg        *Config
	log        *slog.Logger
	rdb        redis.UniversalClient
	store      *store.Redis
	handler    *slackbot.Handler
	mux        *http.ServeMux
	ln         net.Listener
	socket     *socketmode.Client
	pg         *playground.Playground
	teams      *teams.Handler
	schedulers []*announce.Scheduler
	posters    announce.Posters
	svc        *dialogs.Service
	metrics    *metrics.Metrics
	closers    []func()
}

func newApp(cfg *Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log, mux: http.NewServeMux(), metrics: metrics.New(), posters: announce.Posters{}}
	if cfg.Now != "" {
		log.Warn("CAIS_NOW is set: the bot's clock starts at that instant (for demos and tests only)", "now", cfg.start)
	}
	if err := a.openRedis(); err != nil {
		a.close()
		return nil, err
	}
	if err := a.listen(); err != nil {
		a.close()
		return nil, err
	}
	if err := a.wireSlack(); err != nil {
		a.close()
		return nil, err
	}
	// Teams is on with an app id, or locally (loopback only) in the
	// playground; a Slack-only production deployment does not expose it.
	if a.cfg.MicrosoftAppID != "" || a.cfg.playground() {
		if err := a.wireTeams(); err != nil {
			a.close()
			return nil, err
		}
	}
	if err := a.schedule(); err != nil {
		a.close()
		return nil, err
	}
	a.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	a.mux.HandleFunc("GET /readyz", a.ready)
	a.mux.Handle("GET /metrics", a.metrics.Handler())
	a.metrics.FirmsByStep(time.Minute, func(ctx context.Context) (map[string]int, error) {
		return a.store.CountByStep(ctx, a.cfg.roadmap.Start)
	})
	return a, nil
}

func (a *app) openRedis() error {
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
	a.closers = append(a.closers, func() { _ = rdb.Close() })
	a.store = store.New(rdb, a.cfg.RedisPrefix)
	return nil
}

func (a *app) wireSlack() error {
	admins := make([]string, len(a.cfg.AdminUsers))
	for i, u := range a.cfg.AdminUsers {
		admins[i] = teams.CanonicalUser(u) // Slack ids pass unchanged; Entra ids are normalised
	}
	svc := &dialogs.Service{
		Flow:  &dialogs.Flow{Roadmap: a.cfg.roadmap, Admins: admins, Loc: a.cfg.loc},
		Store: a.store,
		Now:   a.cfg.clock(),
	}
	a.svc = svc
	secret, token, apiURL := a.cfg.SlackSigningSecret, a.cfg.SlackBotToken, a.cfg.SlackAPIURL
	if secret == "" {
		// Socket Mode and the playground need no secret from the operator;
		// HTTP requests then cannot be forged without knowing this one.
		secret = randomSecret()
	}
	var pg *playground.Playground
	if a.cfg.playground() {
		var err error
		pg, err = playground.New(playground.Config{SigningSecret: secret, BaseURL: a.baseURL(), Logger: a.log, Events: http.HandlerFunc(a.events)})
		if err != nil {
			return err
		}
		token, apiURL = playground.Token, pg.APIURL()
	}
	// Go's default keeps 2 idle connections per host: under load every
	// Slack call would open (and TLS-handshake) a new one.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	httpc := &http.Client{Timeout: 10 * time.Second, Transport: a.metrics.Transport(tr)}
	api := slack.New(token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(httpc))
	h, err := slackbot.New(slackbot.Config{SigningSecret: secret, Scope: a.cfg.scope, Service: svc, API: api, HTTP: httpc, Logger: a.log, Viewers: a.store, Observe: a.metrics.Observe})
	if err != nil {
		return err
	}
	a.handler = h
	poster, err := slackbot.NewPoster(api, "")
	if err != nil {
		return err
	}
	a.posters[firm.Slack] = poster
	if a.cfg.SlackAppToken != "" {
		sapi := slack.New(token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(httpc), slack.OptionAppLevelToken(a.cfg.SlackAppToken))
		a.socket = socketmode.New(sapi, socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)))
	}
	if a.cfg.SlackAppToken == "" || a.cfg.SlackSigningSecret != "" {
		a.mux.Handle("POST /slack/events", h)
	}
	if pg != nil {
		a.pg = pg
		a.mux.Handle("/", pg.Handler())
	}
	return nil
}

func (a *app) wireTeams() error {
	h, err := teams.New(teams.Config{
		AppID: a.cfg.MicrosoftAppID, AppPassword: a.cfg.MicrosoftAppPassword,
		AppType: a.cfg.MicrosoftAppType, TenantID: a.cfg.MicrosoftAppTenantID,
		Scope: a.cfg.scope, Service: a.svc, Store: teams.StoreDirectory(a.store.Directory(firm.Teams)),
		HTTP:      &http.Client{Timeout: 10 * time.Second},
		Logger:    a.log.With("platform", "teams"),
		Observe:   func(kind, outcome string, d time.Duration) { a.metrics.Observe("teams_"+kind, outcome, d) },
		Announced: func(e string) { a.metrics.Announcements.WithLabelValues(e).Inc() },
	})
	if err != nil {
		return err
	}
	a.teams = h
	a.mux.Handle("POST /api/messages", h)
	// The Agents Playground probes the endpoint with HEAD before connecting.
	a.mux.HandleFunc("HEAD /api/messages", func(http.ResponseWriter, *http.Request) {})
	a.posters[firm.Teams] = h.Poster()
	return nil
}

// schedule adds the deadline-announcement scheduler, which hands each
// firm's reminders to the poster of its platform; every replica runs one,
// and Redis claims keep posts exactly once.
func (a *app) schedule() error {
	s, err := announce.New(announce.Config{Service: a.svc, Firms: a.store, Ledger: a.store, Posters: a.posters,
		Now: a.svc.Now, Logger: a.log.With("component", "announce"),
		Observe: func(e string) { a.metrics.Announcements.WithLabelValues(e).Inc() }})
	if err != nil {
		return err
	}
	a.schedulers = append(a.schedulers, s)
	return nil
}

func (a *app) events(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

func (a *app) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
		http.Error(w, "redis unreachable\n", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// listenAddr keeps the playground on loopback: it has no authentication.
func (a *app) listenAddr() string {
	addr := a.cfg.ListenAddr
	if a.cfg.playground() && strings.HasPrefix(addr, ":") {
		return "127.0.0.1" + addr
	}
	return addr
}

func (a *app) listen() error {
	ln, err := net.Listen("tcp", a.listenAddr())
	if err != nil {
		return errors.New("CAIS_LISTEN_ADDR: " + err.Error())
	}
	a.ln = ln
	a.closers = append(a.closers, func() { _ = ln.Close() })
	return nil
}

// baseURL is how a local browser reaches the bot.
func (a *app) baseURL() string {
	addr := a.listenAddr()
	if a.ln != nil {
		addr = a.ln.Addr().String()
	}
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// serve runs until ctx ends, then drains in-flight requests and sends.
func (a *app) serve(ctx context.Context) error {
	srv := &http.Server{Handler: a.mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	if a.pg != nil {
		srv.RegisterOnShutdown(a.pg.Close) // ends the page's live streams
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(a.ln) }()
	var sched sync.WaitGroup
	for _, s := range a.schedulers {
		sched.Add(1)
		go func() { defer sched.Done(); _ = s.Run(ctx) }()
	}
	// Redis closes after the schedulers stop: a claim is never left half-written.
	defer sched.Wait()
	if a.socket != nil {
		go func() {
			if err := a.handler.RunSocketMode(ctx, a.socket); err != nil && ctx.Err() == nil {
				errc <- err
			}
		}()
	}
	a.log.Info("caisbot listening", "addr", a.ln.Addr().String(), "scope", a.cfg.Scope, "playground", a.cfg.playground())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	a.handler.Wait()
	if a.teams != nil {
		a.teams.Wait()
	}
	return err
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

func randomSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
