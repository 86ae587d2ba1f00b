// The command line: the options, their checks, and the repeatable -bot-env.

package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

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
	slackHang  time.Duration
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
	fs.DurationVar(&o.slackHang, "slack-hang", 0, "the fake Slack holds every answer back this long (a Slack that hangs; what the bot posted still reaches the workers at once): the bot's memory must stay bounded. Then Slack recovers: the run waits for the bot's sends to drain and measures clicks again (phase recovered)")
	fs.IntVar(&o.footprint, "footprint", 0, "instead of load: write N firms' full journeys to Redis and report bytes per firm and per audit entry")
	fs.BoolVar(&o.keep, "keep", false, "keep the run's Redis keys")
	fs.BoolVar(&o.strict, "strict", false, "exit 3 when a target (issue 16) is missed")
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
