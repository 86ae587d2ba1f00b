package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/caisbot/caisbot/bot/slackbot"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"
)

// botOptions wire a caisbot handler inside this process, as cmd/caisbot
// does (for -inprocess, the tests and the benchmarks; the authoritative
// figures come from -spawn, which runs the real binary).
type botOptions struct {
	Secret string
	APIURL string
	// HTTP carries Web API calls and response_url posts; cmd/caisbot
	// uses &http.Client{Timeout: 10 * time.Second}.
	HTTP   *http.Client
	Redis  redis.UniversalClient
	Prefix string
	Admins []string
	Log    *slog.Logger
	// NoViewers wires no Home viewers store (no Home refresh after a change).
	NoViewers bool
}

func newBot(o botOptions) (*slackbot.Handler, error) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, err
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	st := store.New(o.Redis, o.Prefix)
	svc := &dialogs.Service{
		Flow:  &dialogs.Flow{Roadmap: dialogs.Default(), Admins: o.Admins, Loc: loc},
		Store: st,
		Now:   time.Now,
	}
	api := slack.New("xoxb-load", slack.OptionAPIURL(o.APIURL), slack.OptionHTTPClient(o.HTTP))
	cfg := slackbot.Config{SigningSecret: o.Secret, Scope: "workspace", Service: svc, API: api,
		HTTP: o.HTTP, Logger: o.Log, Viewers: st}
	if o.NoViewers {
		cfg.Viewers = nil
	}
	return slackbot.New(cfg)
}

// countingHandler counts warnings and errors the bot logs, then passes
// records on.
type countingHandler struct {
	slog.Handler
	warn, err *atomic.Int64
}

func newCountingLogger(next slog.Handler) (*slog.Logger, *atomic.Int64, *atomic.Int64) {
	var w, e atomic.Int64
	return slog.New(countingHandler{Handler: next, warn: &w, err: &e}), &w, &e
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	switch {
	case r.Level >= slog.LevelError:
		h.err.Add(1)
	case r.Level >= slog.LevelWarn:
		h.warn.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}

func (h countingHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return countingHandler{Handler: h.Handler.WithAttrs(a), warn: h.warn, err: h.err}
}

func (h countingHandler) WithGroup(name string) slog.Handler {
	return countingHandler{Handler: h.Handler.WithGroup(name), warn: h.warn, err: h.err}
}

// roundTrips counts Redis round trips (a pipeline or a script run is one).
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}
