// Command caisload is caisbot's load generator. It walks many simulated
// firms through the CAIS roadmap with signed slash commands and button
// clicks, against a caisbot it starts itself (-spawn, the default), wires
// in this process (-inprocess) or finds running (-target), and measures
// the same traffic against a bare net/http handler that does only the
// unavoidable work of /cais-next. It serves the fake Slack Web API and
// response_url sink the bot talks to. With -footprint N it measures Redis
// memory per firm instead. See README.md beside this file.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	target     string
	spawn      bool
	inprocess  bool
	botBin     string
	secret     string
	redisURL   string
	prefix     string
	admin      string
	duration   time.Duration
	warmup     time.Duration
	conc       int
	firms      int
	mix        float64
	stale      float64
	phases     string
	jsonOut    string
	cpuprofile string
	botLog     string
	sinkAddr   string
	footprint  int
	keep       bool
	strict     bool
	seed       uint64
	rounds     int
	// In-process experiments (what a change in the bot would gain).
	botIdleConns   int
	botHomeRefresh bool
	botEnv         envList
	bareServe      string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("caisload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defRedis := os.Getenv("REDIS_URL")
	if defRedis == "" {
		defRedis = "redis://127.0.0.1:6379"
	}
	fs.StringVar(&o.target, "target", "", "URL of a running bot's /slack/events (its SLACK_API_URL must point at -sink-addr, its signing secret be -secret)")
	fs.BoolVar(&o.spawn, "spawn", false, "build and start cmd/caisbot with the right environment (the default without -target or -inprocess)")
	fs.BoolVar(&o.inprocess, "inprocess", false, "wire the bot's handler inside this process (profiles it with -cpuprofile)")
	fs.StringVar(&o.botBin, "bot", "", "with -spawn: a built caisbot binary (default: go build ./cmd/caisbot)")
	fs.StringVar(&o.secret, "secret", "", "Slack signing secret (default: random)")
	fs.StringVar(&o.redisURL, "redis", defRedis, "Redis URL for the bot, the bare handler and the counters ($REDIS_URL)")
	fs.StringVar(&o.prefix, "prefix", "", "CAIS_REDIS_PREFIX for the run (default: caisload:<run id>:, deleted afterwards)")
	fs.StringVar(&o.admin, "admin", "ULOADADMIN", "admin user id (CAIS_ADMIN_USERS) that resets finished firms")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "measured duration of each phase")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up before each phase")
	fs.IntVar(&o.conc, "concurrency", 32, "requests in flight (closed loop: each worker sends its next request when the last is answered)")
	fs.IntVar(&o.firms, "firms", 2000, "simulated firms (Slack teams), split among the workers")
	fs.Float64Var(&o.mix, "mix", 0.5, "share of slash commands in the mix phase (next 50%, status 30%, history 20%); the rest are clicks")
	fs.Float64Var(&o.stale, "stale", 0.05, "share of clicks in the mix phase that a second user makes on the same card at the same moment")
	fs.StringVar(&o.phases, "phases", "click,mix,next,bare,bare-click", "phases in order: click (write path), mix, next (read path), bare (reference for /cais-next), bare-click (reference for clicks)")
	fs.StringVar(&o.jsonOut, "json", "", "also write the figures as JSON to this file")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "CPU profile of this process (generator, fake Slack, and the bot with -inprocess)")
	fs.Var(&o.botEnv, "bot-env", "with -spawn: extra KEY=VALUE for the bot's environment (repeatable), e.g. GOGC=400")
	fs.StringVar(&o.botLog, "botlog", "", "with -spawn: the bot's log file (default: in a temporary directory)")
	fs.StringVar(&o.sinkAddr, "sink-addr", "127.0.0.1:0", "listen address of the fake Slack Web API and response_url sink")
	fs.IntVar(&o.footprint, "footprint", 0, "instead of load: write N firms' full journeys to Redis and report bytes per firm and per audit entry")
	fs.BoolVar(&o.keep, "keep", false, "keep the run's Redis keys")
	fs.BoolVar(&o.strict, "strict", false, "exit 3 when a target of issue 5 is missed")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the walk")
	fs.IntVar(&o.rounds, "rounds", 4, "split each phase into this many segments and run the phases interleaved (fairer on a machine whose other load varies)")
	fs.StringVar(&o.bareServe, "bare-serve", "", "internal: serve the bare reference handler on this address")
	fs.IntVar(&o.botIdleConns, "x-idle-conns", 0, "experiment, with -inprocess: the bot's HTTP client keeps this many idle connections per host (0: cmd/caisbot's own, 64)")
	fs.BoolVar(&o.botHomeRefresh, "x-home-refresh", true, "experiment, with -inprocess: false wires the bot without Home viewers, as if it skipped the Home refresh when a firm has no viewers")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	modes := 0
	for _, b := range []bool{o.target != "", o.spawn, o.inprocess} {
		if b {
			modes++
		}
	}
	switch {
	case modes > 1:
		return nil, errors.New("choose one of -target, -spawn, -inprocess")
	case modes == 0:
		o.spawn = true
	}
	switch {
	case !o.spawn && len(o.botEnv) > 0:
		return nil, errors.New("-bot-env needs -spawn")
	case !o.inprocess && (o.botIdleConns != 0 || !o.botHomeRefresh):
		return nil, errors.New("-x-idle-conns and -x-home-refresh change the bot's wiring: they need -inprocess")
	case o.conc < 1 || o.firms < 1 || o.rounds < 1:
		return nil, errors.New("-concurrency, -firms and -rounds must be positive")
	case o.mix < 0 || o.mix > 1 || o.stale < 0 || o.stale > 1:
		return nil, errors.New("-mix and -stale are shares between 0 and 1")
	}
	for _, p := range phaseList(o.phases) {
		if _, ok := phaseDescriptions[p]; !ok {
			return nil, fmt.Errorf("unknown phase %q (click, mix, next, bare, bare-click)", p)
		}
	}
	if o.secret == "" {
		o.secret = strings.ToLower(rand.Text())
	}
	return o, nil
}

// envList is a repeatable KEY=VALUE flag.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("%q is not KEY=VALUE", v)
	}
	*e = append(*e, v)
	return nil
}

func phaseList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var phaseDescriptions = map[string]string{
	"click": "bot, write path: clicks on the current card (commands only to fetch a card or start a finished firm over)",
	"mix":   "bot, realistic mix: commands and clicks, with simultaneous clicks on one card",
	"next":  "bot, read path: /cais-next only",
	"bare":  "bare reference handler: /cais-next only (verify, one HMGET, write a canned card)",
	"bare-click": "bare reference handler: the click phase's clicks (verify, decode the payload, one HMGET, one commit script, " +
		"an empty 200, then a canned card to the response_url and a chat.postMessage)",
}

func realMain(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "caisload:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch {
	case o.bareServe != "":
		err = serveBare(ctx, o)
	case o.footprint > 0:
		err = runFootprint(ctx, o, stdout)
	default:
		var missed bool
		missed, err = runLoad(ctx, o, stdout, stderr)
		if err == nil && missed && o.strict {
			return 3
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "caisload:", err)
		return 1
	}
	return 0
}

func openRedis(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, errors.New("-redis is not a valid redis:// URL")
	}
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("redis does not answer: %w", err)
	}
	return c, nil
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

// runInfo describes the run for the report.
type runInfo struct {
	Run         string    `json:"run"`
	Started     time.Time `json:"started"`
	Bot         string    `json:"bot"`
	Bare        string    `json:"bare"`
	Redis       string    `json:"redis"`
	Prefix      string    `json:"prefix"`
	Concurrency int       `json:"concurrency"`
	Firms       int       `json:"firms"`
	Duration    string    `json:"duration_per_phase"`
	Warmup      string    `json:"warmup"`
	Mix         float64   `json:"mix"`
	Rounds      int       `json:"rounds"`
	Stale       float64   `json:"stale"`
	CPUs        int       `json:"cpus"`
	GoVersion   string    `json:"go"`
	LoadAvg     string    `json:"loadavg_before"`
	Command     string    `json:"command"`
	Revision    string    `json:"revision"`
	BotExit     string    `json:"bot_exit,omitempty"`
	BotLogWarn  int       `json:"bot_log_warnings"`
	BotLogErr   int       `json:"bot_log_errors"`
	BotLogFirst []string  `json:"bot_log_first_errors,omitempty"`
	KeysDeleted int       `json:"keys_deleted"`
	Journeys    int       `json:"journeys_completed"`
	Restarts    int       `json:"firms_started_over"`
	// BareCommits counts the audit entries the bare reference's clicks
	// appended: proof that it did the click's writes.
	BareCommits int64 `json:"bare_click_commits,omitempty"`
}

func runLoad(ctx context.Context, o *options, stdout, stderr io.Writer) (missed bool, err error) {
	run := strings.ToUpper(rand.Text()[:6])
	if o.prefix == "" {
		o.prefix = "caisload:" + run + ":"
	}
	redisShown := o.redisURL
	if opts, perr := redis.ParseURL(o.redisURL); perr == nil {
		redisShown = opts.Addr // never print a password
	}
	info := &runInfo{Run: run, Started: time.Now(), Redis: redisShown, Prefix: o.prefix, Concurrency: o.conc, Firms: max(o.firms, o.conc),
		Duration: o.duration.String(), Warmup: o.warmup.String(), Mix: o.mix, Rounds: o.rounds, Stale: o.stale, CPUs: runtime.NumCPU(),
		GoVersion: runtime.Version(), LoadAvg: loadAvg(), Command: "caisload " + strings.Join(os.Args[1:], " "), Revision: revision()}
	rdb, err := openRedis(o.redisURL)
	if err != nil {
		return false, err
	}
	defer rdb.Close()
	defer func() {
		if o.keep || (o.target != "" && !strings.HasPrefix(o.prefix, "caisload:")) {
			return
		}
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n, derr := deletePrefix(cctx, rdb, o.prefix)
		fmt.Fprintf(stderr, "caisload: deleted %d keys under %s\n", n, o.prefix)
		if derr != nil {
			fmt.Fprintln(stderr, "caisload: cleanup:", derr)
		}
	}()

	s, err := newSink(o.sinkAddr)
	if err != nil {
		return false, fmt.Errorf("fake Slack: %w", err)
	}
	defer s.close()
	tmp, err := os.MkdirTemp("", "caisload-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)

	self := &watched{name: "caisload"}
	watchers := []*watched{self}
	var bot, bare *child
	botURL, bareURL := o.target, ""
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
			return false, err
		}
		defer serveBot(a)()
		u := a.BaseURL() + "/slack/events"
		botURL, info.Bot = u, fmt.Sprintf("in-process handler at %s (experiments: idle conns %d, home refresh %t)", u, o.botIdleConns, o.botHomeRefresh)
	case o.spawn:
		bin := o.botBin
		if bin == "" {
			fmt.Fprintln(stderr, "caisload: building ./cmd/caisbot")
			if bin, err = buildBot(ctx, tmp); err != nil {
				return false, err
			}
		}
		addr, err := freeAddr()
		if err != nil {
			return false, err
		}
		logPath := o.botLog
		if logPath == "" {
			logPath = filepath.Join(tmp, "caisbot.log")
		}
		cmd := exec.Command(bin)
		cmd.Env = childEnv("SLACK_BOT_TOKEN=xoxb-load", "SLACK_SIGNING_SECRET="+o.secret, "SLACK_API_URL="+s.apiURL(),
			"REDIS_URL="+o.redisURL, "CAIS_REDIS_PREFIX="+o.prefix, "CAIS_LISTEN_ADDR="+addr, "CAIS_ADMIN_USERS="+o.admin)
		cmd.Env = append(cmd.Env, o.botEnv...)
		if bot, err = startChild("caisbot", cmd, logPath); err != nil {
			return false, err
		}
		defer func() {
			if bot != nil {
				_ = bot.stop(25 * time.Second)
			}
		}()
		if err := bot.waitReady("http://"+addr+"/readyz", 20*time.Second); err != nil {
			return false, err
		}
		botURL = "http://" + addr + "/slack/events"
		info.Bot = fmt.Sprintf("spawned %s (pid %d) at %s", bin, bot.pid(), botURL)
		if len(o.botEnv) > 0 {
			info.Bot += " with " + strings.Join(o.botEnv, " ")
		}
		watchers = append(watchers, &watched{name: "caisbot", pid: bot.pid()})
	default:
		info.Bot = "running bot at " + o.target
	}
	if o.spawn {
		exe, err := os.Executable()
		if err != nil {
			return false, err
		}
		addr, err := freeAddr()
		if err != nil {
			return false, err
		}
		cmd := exec.Command(exe, "-bare-serve", addr, "-redis", o.redisURL, "-prefix", o.prefix)
		cmd.Env = append(os.Environ(), "CAISLOAD_SECRET="+o.secret, "CAISLOAD_SLACK_API_URL="+s.apiURL())
		if bare, err = startChild("bare", cmd, filepath.Join(tmp, "bare.log")); err != nil {
			return false, err
		}
		defer func() { _ = bare.stop(5 * time.Second) }()
		if err := bare.waitReady("http://"+addr+"/healthz", 10*time.Second); err != nil {
			return false, err
		}
		bareURL = "http://" + addr + "/slack/events"
		info.Bare = fmt.Sprintf("child process (pid %d) at %s", bare.pid(), bareURL)
		watchers = append(watchers, &watched{name: "bare", pid: bare.pid()})
	} else {
		b := newBare(rdb, o.secret, o.prefix, s.apiURL(), bareHTTPClient())
		srv, u, err := serveLoopback(b)
		if err != nil {
			return false, err
		}
		defer func() { _ = srv.Close(); b.Wait() }()
		bareURL, info.Bare = u, "in-process handler at "+u
	}
	if rs := snapRedis(ctx, rdb); rs.pid > 0 {
		if _, err := readProc(rs.pid); err == nil {
			watchers = append(watchers, &watched{name: "redis-server", pid: rs.pid})
		}
	}
	watchers = append(watchers, &watched{name: "machine", pid: machinePID})
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	for _, w := range watchers {
		go w.watch(wctx, 250*time.Millisecond)
	}

	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return false, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return false, err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	g := newGen(s, o.secret, o.admin, run, o.conc, o.firms)
	defer g.close()
	fmt.Fprintf(stderr, "caisload: run %s: %s; bare: %s\n", run, info.Bot, info.Bare)
	results := runPhases(ctx, o, g, botURL, bareURL, watchers, rdb, stderr)
	wcancel()
	for _, f := range g.firms {
		info.Journeys += f.completed
		info.Restarts += f.restarts
	}
	if phaseByName(results, "bare-click") != nil {
		info.BareCommits = countBareCommits(rdb, o.prefix, stderr)
	}
	if bot != nil {
		err := bot.stop(25 * time.Second)
		info.BotExit = "exit 0 after SIGTERM"
		if err != nil {
			info.BotExit = err.Error()
		}
		bot = nil
		info.BotLogWarn, info.BotLogErr, info.BotLogFirst = logCounts(filepath.Join(tmp, "caisbot.log"))
		if o.botLog != "" {
			info.BotLogWarn, info.BotLogErr, info.BotLogFirst = logCounts(o.botLog)
		}
	}
	rep := buildReport(info, results, s)
	rep.print(stdout)
	if o.jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(o.jsonOut, b, 0o644); err != nil {
			return false, err
		}
	}
	if ctx.Err() != nil {
		return false, errors.New("interrupted")
	}
	return !rep.Met, nil
}

func (s *sink) counts() map[string]int64 {
	return map[string]int64{
		"chat.postMessage": s.postMessage.Load(), "views.open": s.viewsOpen.Load(), "views.publish": s.viewsPublish.Load(),
		"other Web API": s.otherAPI.Load(), "response_url": s.responses.Load(), "response_url (nobody waiting)": s.unexpected.Load(),
		"new TCP connections": s.conns.Load(),
	}
}

// countBareCommits counts the entries in the bare reference's audit
// lists (before the cleanup deletes them).
func countBareCommits(rdb redis.UniversalClient, prefix string, stderr io.Writer) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := listEntries(ctx, rdb, escapeGlob(prefix)+"bare:*:audit")
	if err != nil {
		fmt.Fprintln(stderr, "caisload: counting the bare reference's commits:", err)
	}
	return n
}

// revision is the repository's commit, marked dirty if files changed.
func revision() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	rev := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		rev += " (with uncommitted changes)"
	}
	return rev
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
