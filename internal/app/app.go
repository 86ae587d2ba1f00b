// Package app is caisbot's process wiring: from a checked Config it opens
// Redis, builds the one dialogs.Service, wires Slack and Teams where they
// are configured (both in the local playground), the announcement
// schedulers, /metrics, and every HTTP route, and serves until its context
// ends. cmd/caisbot reads the environment and calls Run; cmd/caisload runs
// the same wiring in its own process with New.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/caisbot/caisbot/announce"
	"github.com/caisbot/caisbot/bot/playground"
	"github.com/caisbot/caisbot/bot/slackbot"
	"github.com/caisbot/caisbot/bot/teams"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/metrics"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack/socketmode"
)

// App is the wired process: one Redis, one dialogs.Service, the chat
// platforms that are configured, one HTTP server.
type App struct {
	cfg       *Config
	opts      options
	log       *slog.Logger
	rdb       redis.UniversalClient
	store     *store.Redis
	svc       *dialogs.Service
	slack     *slackbot.Handler // nil unless Slack is configured
	oauth     *slackbot.OAuth   // nil unless in multi-workspace mode
	socket    *socketmode.Client
	pg        *playground.Playground
	teams     *teams.Handler      // nil unless Teams is configured
	posters   announce.Posters    // each wired platform's reminder poster
	scheduler *announce.Scheduler // hands each firm to its platform's poster
	handler   http.Handler        // routes()
	ln        net.Listener
	metrics   *metrics.Metrics
	closers   []func()
}

// Option changes the wiring for in-process use (cmd/caisload's
// experiments and benchmarks); with no options New wires exactly what
// cmd/caisbot runs.
type Option func(*options)

type options struct {
	slackTransport http.RoundTripper
	redisHooks     []redis.Hook
	noHomeViewers  bool
}

// WithSlackTransport carries Slack Web API calls and response_url posts
// over rt instead of the pooled default; they are still timed for /metrics.
func WithSlackTransport(rt http.RoundTripper) Option {
	return func(o *options) { o.slackTransport = rt }
}

// WithRedisHook adds h to the app's Redis client, after the metrics hook
// (e.g. to count round trips).
func WithRedisHook(h redis.Hook) Option {
	return func(o *options) { o.redisHooks = append(o.redisHooks, h) }
}

// WithoutHomeViewers wires Slack without the App Home viewers store, so
// no Home view is refreshed after a change: an experiment, not a mode.
func WithoutHomeViewers() Option {
	return func(o *options) { o.noHomeViewers = true }
}

// New wires the app for cfg, which Load or Config.Check has checked, and
// listens on CAIS_LISTEN_ADDR; nothing is served until Serve. Close
// releases what New opened, also after Serve.
func New(cfg *Config, log *slog.Logger, opts ...Option) (*App, error) {
	if cfg == nil || cfg.roadmap == nil {
		return nil, errors.New("app: the Config is not checked (Load or Config.Check)")
	}
	if log == nil {
		return nil, errors.New("app: a logger is required")
	}
	a := &App{cfg: cfg, log: log, metrics: metrics.New(), posters: announce.Posters{}}
	for _, o := range opts {
		o(&a.opts)
	}
	if cfg.Now != "" {
		log.Warn("CAIS_NOW is set: the bot's clock starts at that instant (for demos and tests only)", "now", cfg.start)
	}
	for _, w := range cfg.roadmapWarnings() {
		log.Warn("roadmap: "+w, "file", cfg.RoadmapFile)
	}
	if err := a.wire(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// wire builds the parts in dependency order: Redis and the listener (the
// playground needs its address), the one dialogs.Service, then each
// configured platform with its reminder poster, the scheduler that hands
// every firm to its own platform's poster, and last the routes.
func (a *App) wire() error {
	if err := a.openRedis(); err != nil {
		return err
	}
	if err := a.keepRoadmap(); err != nil {
		return err
	}
	if err := a.listen(); err != nil {
		return err
	}
	svc, err := a.service()
	if err != nil {
		return err
	}
	a.svc = svc
	if a.cfg.slackOn() {
		if err := a.wireSlack(); err != nil {
			return err
		}
	}
	if a.cfg.teamsOn() {
		if err := a.wireTeams(); err != nil {
			return err
		}
	}
	if a.cfg.PlaygroundDemo && a.pg != nil {
		if err := a.seedDemo(context.Background(), a.pg.TeamID()); err != nil {
			return fmt.Errorf("CAIS_PLAYGROUND_DEMO: %w", err)
		}
	}
	if err := a.schedule(); err != nil {
		return err
	}
	a.metrics.FirmsByStep(time.Minute, func(ctx context.Context) (map[string]int, error) {
		return a.store.CountByStep(ctx, a.cfg.roadmap.Start)
	})
	a.handler = a.routes()
	a.metrics.BackgroundLoad(a.backgroundLoad)
	return nil
}

// ServeHTTP serves every route, as Serve does: App is an http.Handler for
// in-process use (tests, cmd/caisload's benchmarks).
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

// Wait blocks until the background sends of requests already answered
// (response_url posts, chat.postMessage, Teams replies) finish.
func (a *App) Wait() {
	if a.slack != nil {
		a.slack.Wait()
	}
	if a.teams != nil {
		a.teams.Wait()
	}
}

// backgroundLoad sums the platforms' background sends (metrics).
func (a *App) backgroundLoad() (running, waiting int) {
	if a.slack != nil {
		r, w := a.slack.Load()
		running, waiting = running+r, waiting+w
	}
	if a.teams != nil {
		r, w := a.teams.Load()
		running, waiting = running+r, waiting+w
	}
	return running, waiting
}

// Drain is Wait for a shutdown: sends still waiting when ctx ends (Slack
// or Teams hanging) are dropped, so the process exits in time.
func (a *App) Drain(ctx context.Context) {
	if a.slack != nil {
		a.slack.Drain(ctx)
	}
	if a.teams != nil {
		a.teams.Drain(ctx)
	}
}

// Close releases Redis, the embedded Redis and the listener, last opened
// first.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}
