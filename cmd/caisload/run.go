// One load run: start the servers and watchers, run the phases, report.

package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

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
	// BotLogTimeouts are the errors that are a call to the fake Slack
	// timing out: with -slack-hang, the only errors expected.
	BotLogTimeouts int      `json:"bot_log_slack_timeouts"`
	SlackHang      string   `json:"slack_hang,omitempty"`
	BotLogFirst    []string `json:"bot_log_first_errors,omitempty"`
	KeysDeleted    int      `json:"keys_deleted"`
	Journeys       int      `json:"journeys_completed"`
	Restarts       int      `json:"firms_started_over"`
	// BareCommits counts the audit entries the bare reference's clicks
	// appended: proof that it did the click's writes.
	BareCommits int64 `json:"bare_click_commits,omitempty"`
}

func runLoad(ctx context.Context, o *options, stdout, stderr io.Writer) (missed bool, err error) {
	run := strings.ToUpper(rand.Text()[:6])
	if o.prefix == "" {
		o.prefix = "caisload:" + run + ":"
	}
	info := newRunInfo(o, run)
	rdb, err := openRedis(o.redisURL)
	if err != nil {
		return false, err
	}
	defer rdb.Close()
	defer cleanupPrefix(o, rdb, stderr)

	s, err := newSink(o.sinkAddr)
	if err != nil {
		return false, fmt.Errorf("fake Slack: %w", err)
	}
	s.hangFor(o.slackHang)
	defer s.close()
	tmp, err := os.MkdirTemp("", "caisload-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)

	bot, err := startBot(ctx, o, s, tmp, stderr, info)
	if err != nil {
		return false, err
	}
	defer bot.stop()
	bare, err := startBare(o, rdb, s, tmp, info)
	if err != nil {
		return false, err
	}
	defer bare.stop()
	watchers := watchAll(ctx, rdb, bot, bare)
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	for _, w := range watchers {
		go w.watch(wctx, 250*time.Millisecond)
	}
	if o.cpuprofile != "" {
		stop, err := startProfile(o.cpuprofile)
		if err != nil {
			return false, err
		}
		defer stop()
	}

	g := newGen(s, o.secret, o.admin, run, o.conc, o.firms)
	defer g.close()
	fmt.Fprintf(stderr, "caisload: run %s: %s; bare: %s\n", run, info.Bot, info.Bare)
	results := runPhases(ctx, o, g, bot.url, bare.url, watchers, rdb, stderr)
	var rec *recovery
	if o.slackHang > 0 && ctx.Err() == nil {
		rec = recoverSlack(ctx, o, g, bot.url, watchers, rdb, stderr)
		results = append(results, rec.Phase)
	}
	wcancel()
	info.finish(o, g, results, bot, rdb, stderr)
	rep := buildReport(info, results, s)
	rep.addRecovery(rec)
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

func newRunInfo(o *options, run string) *runInfo {
	redisShown := o.redisURL
	if opts, perr := redis.ParseURL(o.redisURL); perr == nil {
		redisShown = opts.Addr // never print a password
	}
	return &runInfo{Run: run, Started: time.Now(), Redis: redisShown, Prefix: o.prefix, Concurrency: o.conc, Firms: max(o.firms, o.conc),
		Duration: o.duration.String(), Warmup: o.warmup.String(), Mix: o.mix, Rounds: o.rounds, Stale: o.stale, CPUs: runtime.NumCPU(),
		GoVersion: runtime.Version(), LoadAvg: loadAvg(), Command: "caisload " + strings.Join(os.Args[1:], " "), Revision: revision(),
		SlackHang: durationOrEmpty(o.slackHang)}
}

func durationOrEmpty(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// cleanupPrefix deletes the run's keys, unless -keep or the prefix is a
// -target bot's own.
func cleanupPrefix(o *options, rdb redis.UniversalClient, stderr io.Writer) {
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
}

// watchAll lists the processes whose CPU and memory the report gives:
// this one, the servers that run as their own process, Redis when it
// runs on this machine, and the machine itself.
func watchAll(ctx context.Context, rdb redis.UniversalClient, servers ...*server) []*watched {
	watchers := []*watched{{name: "caisload"}}
	for _, sv := range servers {
		if sv.watch != nil {
			watchers = append(watchers, sv.watch)
		}
	}
	if rs := snapRedis(ctx, rdb); rs.pid > 0 {
		if _, err := readProc(rs.pid); err == nil {
			watchers = append(watchers, &watched{name: "redis-server", pid: rs.pid})
		}
	}
	return append(watchers, &watched{name: "machine", pid: machinePID})
}

// startProfile profiles this process's CPU until stop.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// finish adds what is known only after the phases: the walk's totals,
// the bare reference's commits, and a spawned bot's exit and log.
func (info *runInfo) finish(o *options, g *gen, results []*phaseResult, bot *server, rdb redis.UniversalClient, stderr io.Writer) {
	for _, f := range g.firms {
		info.Journeys += f.completed
		info.Restarts += f.restarts
	}
	if phaseByName(results, "bare-click") != nil {
		info.BareCommits = countBareCommits(rdb, o.prefix, stderr)
	}
	if bot.proc == nil {
		return
	}
	err := bot.proc.stop(25 * time.Second)
	info.BotExit = "exit 0 after SIGTERM"
	if err != nil {
		info.BotExit = err.Error()
	}
	bot.proc = nil
	t := logCounts(bot.log)
	info.BotLogWarn, info.BotLogErr, info.BotLogTimeouts, info.BotLogFirst = t.warn, t.errs, t.timeouts, t.first
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
