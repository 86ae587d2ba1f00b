package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/caisbot/caisbot/bot/slackbot"
)

// routes is every HTTP route the process serves, each platform's only
// where it is wired.
func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	if a.slackEvents() {
		mux.Handle("POST /slack/events", a.slack)
	}
	if a.oauth != nil {
		mux.HandleFunc("GET "+slackbot.InstallPath, a.oauth.Install)
		mux.HandleFunc("GET "+slackbot.RedirectPath, a.oauth.Redirect)
	}
	if a.teams != nil {
		mux.Handle("POST /api/messages", a.teams)
		// The Agents Playground probes the endpoint with HEAD before connecting.
		mux.HandleFunc("HEAD /api/messages", func(http.ResponseWriter, *http.Request) {})
		// Said here, or the playground's "/" would answer a GET with 404.
		mux.HandleFunc("GET /api/messages", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Allow", "POST, HEAD")
			http.Error(w, "the Bot Framework endpoint takes POST", http.StatusMethodNotAllowed)
		})
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", a.metrics.Handler())
	if a.pg != nil {
		mux.Handle("/", a.pg.Handler())
	}
	return mux
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
		http.Error(w, "redis unreachable\n", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// listenAddr keeps the playground on loopback: it has no authentication.
func (a *App) listenAddr() string {
	addr := a.cfg.ListenAddr
	if a.cfg.playground() && strings.HasPrefix(addr, ":") {
		return "127.0.0.1" + addr
	}
	return addr
}

func (a *App) listen() error {
	ln, err := net.Listen("tcp", a.listenAddr())
	if err != nil {
		return errors.New("CAIS_LISTEN_ADDR: " + err.Error())
	}
	a.ln = ln
	a.closers = append(a.closers, func() { _ = ln.Close() })
	return nil
}

// BaseURL is how a local browser reaches the bot: http://host:port.
func (a *App) BaseURL() string {
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

// Serve runs the HTTP server, the schedulers and Socket Mode until ctx
// ends, then drains in-flight requests and sends.
func (a *App) Serve(ctx context.Context) error {
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	if a.pg != nil {
		srv.RegisterOnShutdown(a.pg.Close) // ends the page's live streams
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(a.ln) }()
	var sched sync.WaitGroup
	sched.Go(func() { _ = a.scheduler.Run(ctx) })
	// Roles are kept in memory only while this runs (store/rolescache.go).
	sched.Go(func() { a.store.WatchRoles(ctx, a.log) })
	// Redis closes after the scheduler stops: a claim is never left half-written.
	defer sched.Wait()
	if a.socket != nil {
		go func() {
			if err := a.slack.RunSocketMode(ctx, a.socket); err != nil && ctx.Err() == nil {
				errc <- err
			}
		}()
	}
	a.log.Info("caisbot listening", "addr", a.ln.Addr().String(), "scope", a.cfg.scope, "playground", a.cfg.playground())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	// Background sends get what is left of the grace period; with Slack
	// hanging, the rest are dropped (logged and counted) rather than
	// holding the process past its kill.
	a.Drain(sctx)
	return err
}
