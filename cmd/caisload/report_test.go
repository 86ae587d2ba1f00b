package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A log of a run with Slack hanging: the timed-out calls are the only
// errors allowed, and only then.
func TestLogCheck(t *testing.T) {
	timeout := `{"level":"ERROR","msg":"views.open failed","err":"Post \"http://127.0.0.1:1/api/views.open\": context deadline exceeded"}`
	other := `{"level":"ERROR","msg":"request failed","err":"redis: connection refused"}`
	budget := `{"level":"ERROR","msg":"request failed","firm":"T1","err":"context deadline exceeded"}`
	send := `{"level":"ERROR","msg":"chat.postMessage failed","call":"chat.postMessage","err":"Post \"http://127.0.0.1:1/api/chat.postMessage\": context deadline exceeded"}`
	warn := `{"level":"WARN","msg":"chat.postMessage not sent: too many waiting for the platform"}`
	tests := []struct {
		name  string
		hang  string
		lines []string
		met   bool
		got   string
	}{
		{"clean run", "", []string{warn}, true, "0"},
		{"timeouts without a hang", "", []string{timeout}, false, "1"},
		{"timeouts while Slack hung", "20s", []string{timeout, warn, timeout}, true, "2, of which 2 Slack calls timing out"},
		{"another error while Slack hung", "20s", []string{timeout, other}, false, "2, of which 1 Slack calls timing out"},
		{"background sends timing out", "20s", []string{send, timeout}, true, "2, of which 2 Slack calls timing out"},
		// A request that ran out of its budget is a failed click, not Slack.
		{"a request out of time while Slack hung", "20s", []string{timeout, budget}, false, "2, of which 1 Slack calls timing out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bot.log")
			if err := os.WriteFile(path, []byte(strings.Join(tt.lines, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			tally := logCounts(path)
			info := &runInfo{SlackHang: tt.hang, BotLogErr: tally.errs, BotLogTimeouts: tally.timeouts, BotLogWarn: tally.warn}
			c := logCheck(info)
			if c.Met != tt.met || c.Got != tt.got {
				t.Errorf("got %q met %t, want %q met %t", c.Got, c.Met, tt.got, tt.met)
			}
			// The report shows the errors that are not timeouts first.
			if tally.errs > tally.timeouts && slackTimeout(tally.first[0]) {
				t.Errorf("first errors shown: %q", tally.first)
			}
		})
	}
}

func TestMemoryChecks(t *testing.T) {
	bot := func(start, middle, end float64) []procFigures {
		return []procFigures{{Name: "caisbot", RSSStart: start, RSSMiddle: middle, RSSEnd: end, RSSMax: max(start, middle, end)}}
	}
	hungClick := &phaseResult{Name: "click", Procs: bot(100, 200, 210)}
	tests := []struct {
		name   string
		phases []*phaseResult
		steady bool
		none   bool // no check: the bot is not watched
	}{
		{"steady", []*phaseResult{{Name: "click", Procs: bot(100, 120, 125)}}, true, false},
		{"growing", []*phaseResult{{Name: "next", Procs: bot(100, 120, 140)}}, false, false},
		{"bare phases are not the bot's", []*phaseResult{{Name: "bare", Procs: bot(100, 120, 200)}}, false, true},
		{"not measured", []*phaseResult{{Name: "click", Procs: bot(0, 0, 0)}}, false, false},
		// After a hang the memory falls, then settles below where the hang left it.
		{"recovered below the hang", []*phaseResult{hungClick, {Name: "recovered", Procs: bot(190, 140, 160)}}, true, false},
		{"recovered past the hang", []*phaseResult{hungClick, {Name: "recovered", Procs: bot(190, 200, 240)}}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := memoryChecks(&runInfo{SlackHang: "20s"}, tt.phases)
			if tt.none {
				if len(cs) != 0 {
					t.Fatalf("checks %+v, want none", cs)
				}
				return
			}
			if len(cs) != 1 || cs[0].Name != "bot memory steady" || cs[0].Met != tt.steady {
				t.Fatalf("checks %+v, want steady %t", cs, tt.steady)
			}
		})
	}
}

// While Slack hung the bot stayed under the pod's limit, measured; its
// sends drained when Slack recovered and again after the clicks that
// followed.
func TestRecoveryChecks(t *testing.T) {
	ok := &phaseResult{Name: "recovered", Writes: &figures{N: 10}, Cards: 10}
	tests := []struct {
		name        string
		peak        float64
		drains, aft bool
		met         map[string]bool
	}{
		{"all well", 222, true, true, map[string]bool{"bot RSS while Slack hung": true, "sends after recovery": true}},
		{"over the pod limit", 300, true, true, map[string]bool{"bot RSS while Slack hung": false, "sends after recovery": true}},
		{"the bot not a process of its own", 0, true, true, map[string]bool{"bot RSS while Slack hung": false, "sends after recovery": true}},
		{"sends stuck after the recovered phase", 222, true, false, map[string]bool{"bot RSS while Slack hung": true, "sends after recovery": false}},
		{"sends never drained", 222, false, true, map[string]bool{"bot RSS while Slack hung": true, "sends after recovery": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recovery{PeakMiB: tt.peak, Drains: tt.drains, AfterDrains: tt.aft, Drain: "20ms", Phase: ok}
			for _, c := range recoveryChecks(rec) {
				if want, listed := tt.met[c.Name]; listed && c.Met != want {
					t.Errorf("%s: met %t (got %s), want %t", c.Name, c.Met, c.Got, want)
				}
			}
		})
	}
}

func TestRatioRounds(t *testing.T) {
	phase := func(rates ...float64) *phaseResult {
		p := &phaseResult{}
		for _, r := range rates {
			p.Rounds = append(p.Rounds, roundRate{All: r + 100, Writes: r})
		}
		return p
	}
	tests := []struct {
		name      string
		bot, bare *phaseResult
		rounds    []float64
		median    float64
	}{
		{"one slow round", phase(90, 60, 88, 95), phase(100, 100, 100, 100), []float64{0.9, 0.6, 0.88, 0.95}, 0.89},
		{"odd count", phase(80, 90, 70), phase(100, 100, 100), []float64{0.8, 0.9, 0.7}, 0.8},
		{"rounds differ", phase(80, 90), phase(100), nil, 0},
		{"one round", phase(80), phase(100), nil, 0},
		{"bare answered nothing", phase(80, 90), phase(100, 0), nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, writes := range []bool{true} { // by clicks and modals
				rt := ratio{}.withRounds(tt.bot, tt.bare, writes)
				if len(rt.Rounds) != len(tt.rounds) || math.Abs(rt.Median-tt.median) > 1e-9 {
					t.Fatalf("writes %t: rounds %v median %v, want %v median %v", writes, rt.Rounds, rt.Median, tt.rounds, tt.median)
				}
				for i := range rt.Rounds {
					if math.Abs(rt.Rounds[i]-tt.rounds[i]) > 1e-9 {
						t.Errorf("writes %t: round %d = %v, want %v", writes, i, rt.Rounds[i], tt.rounds[i])
					}
				}
			}
		})
	}
	// By all requests (the /cais-next ratio), not by writes.
	rt := ratio{}.withRounds(phase(90, 60, 88, 95), phase(100, 100, 100, 100), false)
	if want := []float64{0.95, 0.8, 0.94, 0.975}; len(rt.Rounds) != 4 || math.Abs(rt.Rounds[1]-want[1]) > 1e-9 || math.Abs(rt.Median-0.945) > 1e-9 {
		t.Errorf("by all requests: rounds %v median %v, want %v median 0.945", rt.Rounds, rt.Median, want)
	}
}
