package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/caisbot/caisbot/internal/app"
	"github.com/redis/go-redis/v9"
)

// botOptions configure caisbot's real wiring (internal/app) inside this
// process, with the environment -spawn gives the binary (for -inprocess,
// the tests and the benchmarks; the authoritative figures come from
// -spawn, which runs the real binary).
type botOptions struct {
	Secret   string
	APIURL   string
	RedisURL string
	Prefix   string
	Admins   []string
	Log      *slog.Logger
	// Transport carries Web API calls and response_url posts; nil keeps
	// the bot's own pooled transport.
	Transport http.RoundTripper
	// RedisHook, if set, is added to the bot's Redis client.
	RedisHook redis.Hook
	// NoViewers wires no Home viewers store (no Home refresh after a change).
	NoViewers bool
}

// newBot wires the bot, listening on a free loopback port; it serves
// nothing until Serve, and answers in process through ServeHTTP.
func newBot(o botOptions) (*app.App, error) {
	cfg := &app.Config{SlackBotToken: "xoxb-load", SlackSigningSecret: o.Secret, SlackAPIURL: o.APIURL,
		RedisURL: o.RedisURL, RedisPrefix: o.Prefix, ListenAddr: "127.0.0.1:0", AdminUsers: o.Admins}
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	var opts []app.Option
	if o.Transport != nil {
		opts = append(opts, app.WithSlackTransport(o.Transport))
	}
	if o.RedisHook != nil {
		opts = append(opts, app.WithRedisHook(o.RedisHook))
	}
	if o.NoViewers {
		opts = append(opts, app.WithoutHomeViewers())
	}
	return app.New(cfg, o.Log, opts...)
}

// serveBot serves a until the returned stop is called; stop drains the
// requests and sends in flight, then closes a.
func serveBot(a *app.App) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = a.Serve(ctx) }()
	return func() { cancel(); <-done; a.Close() }
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
