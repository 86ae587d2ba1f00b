// The two servers under load (the bot in process, spawned or running;
// the bare reference in process or as a child) and how they are served.

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// server is one of the two servers under load, the bot or the bare
// reference, as this run reaches it.
type server struct {
	url   string
	proc  *child   // the process this run spawned, or nil
	watch *watched // its CPU and memory, when it runs as its own process
	log   string   // a spawned bot's log file
	stop  func()   // ends what this run started
}

// startBot wires the bot in this process, spawns it, or points at the
// running -target, and describes it in info.Bot.
func startBot(ctx context.Context, o *options, s *sink, tmp string, stderr io.Writer, info *runInfo) (*server, error) {
	switch {
	case o.inprocess:
		log, _, _ := newCountingLogger(slog.NewJSONHandler(io.Discard, nil))
		bo := botOptions{Secret: o.secret, APIURL: s.apiURL(), RedisURL: o.redisURL, Prefix: o.prefix, Admins: []string{o.admin}, Log: log, NoViewers: !o.botHomeRefresh}
		if o.botIdleConns > 0 {
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.MaxIdleConnsPerHost, tr.MaxIdleConns = o.botIdleConns, 2*o.botIdleConns
			bo.Transport = tr
		}
		a, err := newBot(bo)
		if err != nil {
			return nil, err
		}
		u := a.BaseURL() + "/slack/events"
		info.Bot = fmt.Sprintf("in-process handler at %s (experiments: idle conns %d, home refresh %t)", u, o.botIdleConns, o.botHomeRefresh)
		return &server{url: u, stop: serveBot(a)}, nil
	case o.spawn:
		return spawnBot(ctx, o, s, tmp, stderr, info)
	default:
		info.Bot = "running bot at " + o.target
		return &server{url: o.target, stop: func() {}}, nil
	}
}

// spawnBot builds cmd/caisbot (unless -bot names a binary) and starts it
// with the environment the run needs.
func spawnBot(ctx context.Context, o *options, s *sink, tmp string, stderr io.Writer, info *runInfo) (*server, error) {
	bin := o.botBin
	if bin == "" {
		fmt.Fprintln(stderr, "caisload: building ./cmd/caisbot")
		var err error
		if bin, err = buildBot(ctx, tmp); err != nil {
			return nil, err
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	sv := &server{url: "http://" + addr + "/slack/events", log: o.botLog}
	if sv.log == "" {
		sv.log = filepath.Join(tmp, "caisbot.log")
	}
	cmd := exec.Command(bin)
	cmd.Env = childEnv("SLACK_BOT_TOKEN=xoxb-load", "SLACK_SIGNING_SECRET="+o.secret, "SLACK_API_URL="+s.apiURL(),
		"REDIS_URL="+o.redisURL, "CAIS_REDIS_PREFIX="+o.prefix, "CAIS_LISTEN_ADDR="+addr, "CAIS_ADMIN_USERS="+o.admin)
	cmd.Env = append(cmd.Env, o.botEnv...)
	if sv.proc, err = startChild("caisbot", cmd, sv.log); err != nil {
		return nil, err
	}
	sv.stop = func() {
		if sv.proc != nil {
			_ = sv.proc.stop(25 * time.Second)
		}
	}
	if err := sv.proc.waitReady("http://"+addr+"/readyz", 20*time.Second); err != nil {
		sv.stop()
		return nil, err
	}
	info.Bot = fmt.Sprintf("spawned %s (pid %d) at %s", bin, sv.proc.pid(), sv.url)
	if len(o.botEnv) > 0 {
		info.Bot += " with " + strings.Join(o.botEnv, " ")
	}
	sv.watch = &watched{name: "caisbot", pid: sv.proc.pid()}
	return sv, nil
}

// startBare runs the bare reference as a child process when the bot is
// spawned (so each server is its own process), else in this process,
// and describes it in info.Bare.
func startBare(o *options, rdb redis.UniversalClient, s *sink, tmp string, info *runInfo) (*server, error) {
	if !o.spawn {
		b := newBare(rdb, o.secret, o.prefix, s.apiURL(), bareHTTPClient())
		srv, u, err := serveLoopback(b)
		if err != nil {
			return nil, err
		}
		info.Bare = "in-process handler at " + u
		return &server{url: u, stop: func() { _ = srv.Close(); b.Wait() }}, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-bare-serve", addr, "-redis", o.redisURL, "-prefix", o.prefix)
	cmd.Env = append(os.Environ(), "CAISLOAD_SECRET="+o.secret, "CAISLOAD_SLACK_API_URL="+s.apiURL())
	bare, err := startChild("bare", cmd, filepath.Join(tmp, "bare.log"))
	if err != nil {
		return nil, err
	}
	sv := &server{url: "http://" + addr + "/slack/events", proc: bare, stop: func() { _ = bare.stop(5 * time.Second) }}
	if err := bare.waitReady("http://"+addr+"/healthz", 10*time.Second); err != nil {
		sv.stop()
		return nil, err
	}
	info.Bare = fmt.Sprintf("child process (pid %d) at %s", bare.pid(), sv.url)
	sv.watch = &watched{name: "bare", pid: bare.pid()}
	return sv, nil
}

// serveBare is the child process that serves the bare handler when the
// bot is spawned, so both servers run as their own process.
func serveBare(ctx context.Context, o *options) error {
	rdb, err := openRedis(o.redisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	secret := os.Getenv("CAISLOAD_SECRET")
	if secret == "" {
		secret = o.secret
	}
	ln, err := net.Listen("tcp", o.bareServe)
	if err != nil {
		return err
	}
	b := newBare(rdb, secret, o.prefix, os.Getenv("CAISLOAD_SLACK_API_URL"), bareHTTPClient())
	srv := newServer(b)
	go func() { <-ctx.Done(); _ = srv.Shutdown(context.Background()) }()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	b.Wait() // the posts after the last answered clicks
	return nil
}

// newServer serves h at POST /slack/events with cmd/caisbot's settings.
func newServer(h http.Handler) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("POST /slack/events", h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ready\n")) })
	return &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
}

func serveLoopback(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := newServer(h)
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String() + "/slack/events", nil
}
