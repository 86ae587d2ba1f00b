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
		})
	}
}

func TestMemoryChecks(t *testing.T) {
	bot := func(start, middle, end, peak float64) []procFigures {
		return []procFigures{{Name: "caisbot", RSSStart: start, RSSMiddle: middle, RSSEnd: end, RSSMax: peak}}
	}
	hungClick := &phaseResult{Name: "click", Procs: bot(100, 200, 210, 230)}
	tests := []struct {
		name   string
		hang   string
		phases []*phaseResult
		met    map[string]bool
	}{
		{"steady", "", []*phaseResult{{Name: "click", Procs: bot(100, 120, 125, 125)}},
			map[string]bool{"bot memory steady": true}},
		{"growing", "", []*phaseResult{{Name: "next", Procs: bot(100, 120, 140, 140)}},
			map[string]bool{"bot memory steady": false}},
		{"bare phases are not the bot's", "", []*phaseResult{{Name: "bare", Procs: bot(100, 120, 200, 200)}}, map[string]bool{}},
		// After a hang the memory falls, then settles below where it was.
		{"recovered below the hang", "20s", []*phaseResult{hungClick, {Name: "recovered", Procs: bot(190, 140, 160, 190)}},
			map[string]bool{"bot memory steady": true, "bot RSS while Slack hung": true}},
		{"recovered but growing", "20s", []*phaseResult{hungClick, {Name: "recovered", Procs: bot(190, 200, 240, 240)}},
			map[string]bool{"bot memory steady": false, "bot RSS while Slack hung": true}},
		{"over the pod limit while hung", "20s", []*phaseResult{{Name: "click", Procs: bot(100, 250, 260, 300)}, {Name: "recovered", Procs: bot(200, 150, 150, 200)}},
			map[string]bool{"bot memory steady": true, "bot RSS while Slack hung": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]bool{}
			for _, c := range memoryChecks(&runInfo{SlackHang: tt.hang}, tt.phases) {
				got[c.Name] = c.Met
			}
			if len(got) != len(tt.met) {
				t.Fatalf("checks %v, want %v", got, tt.met)
			}
			for name, met := range tt.met {
				if m, ok := got[name]; !ok || m != met {
					t.Errorf("%s: met %t (present %t), want %t", name, m, ok, met)
				}
			}
		})
	}
}

func TestRatioRounds(t *testing.T) {
	phase := func(rates ...float64) *phaseResult {
		p := &phaseResult{}
		for _, r := range rates {
			p.Rounds = append(p.Rounds, roundRate{All: 2 * r, Writes: r})
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
			for _, writes := range []bool{true, false} {
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
}
