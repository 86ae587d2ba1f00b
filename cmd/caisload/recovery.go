// After a run with Slack hanging (-slack-hang): Slack answers again, and
// the bot must send what waited and serve clicks as before (issue 16:
// "back to normal when Slack recovers").

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/redis/go-redis/v9"
)

// drainLimit is how long the bot may take to send what waited once Slack
// answers: its sends are bounded (256 waiting per workspace, 4,096 in
// all) and each is a loopback call now.
const drainLimit = 30 * time.Second

// podLimitMiB is the memory limit of the pod in deploy/: with Slack
// hanging, the bot must stay under it.
const podLimitMiB = 256

// gauges are what the bot's /metrics says about its sends and memory.
type gauges struct {
	Running    float64 `json:"background_running"`
	Waiting    float64 `json:"background_waiting"`
	Shed       float64 `json:"background_shed_total"`
	Goroutines float64 `json:"goroutines"`
	HeapMiB    float64 `json:"heap_inuse_mib"`
}

// recovery is what happened after Slack recovered.
type recovery struct {
	Hung   gauges `json:"while_hanging"` // at the end of the phases
	After  gauges `json:"after"`         // once the recovered phase's own sends went out
	Drain  string `json:"drain_time"`
	Drains bool   `json:"drained"` // nothing running or waiting within drainLimit
	// AfterDrains is the same once the recovered phase's own sends went out.
	AfterDrains bool `json:"drained_after"`
	// PeakMiB is the bot's highest RSS from the start of the run until
	// Slack recovered, warm-ups and the bare phases included; 0 when the
	// bot is not a process of its own (-inprocess, -target).
	PeakMiB float64 `json:"bot_rss_peak_mib_while_hung"`
	// Phase is the click phase run again with Slack answering; it is also
	// among the report's phases.
	Phase *phaseResult `json:"-"`
}

// recoverSlack ends the hang, waits for the bot's sends to drain, and
// runs one more click segment against a Slack that answers.
func recoverSlack(ctx context.Context, o *options, g *gen, botURL string, watchers []*watched, rdb redis.UniversalClient, log io.Writer) *recovery {
	metrics := strings.TrimSuffix(botURL, "/slack/events") + "/metrics"
	rec := &recovery{}
	rec.Hung, _ = readGauges(ctx, metrics)
	rec.PeakMiB = peakRSS(watchers, "caisbot")
	start := time.Now()
	g.sink.recovered()
	rec.Drains = waitDrained(ctx, metrics, drainLimit)
	rec.Drain = time.Since(start).Round(time.Millisecond).String()
	fmt.Fprintf(log, "caisload: Slack recovered: the bot's sends drained in %s (%t)\n", rec.Drain, rec.Drains)
	spec := phaseSpec{Name: "recovered", URL: botURL, Duration: o.duration / time.Duration(o.rounds), Warmup: o.warmup}
	fmt.Fprintf(log, "caisload: phase recovered: %s (%s + %s warm-up)\n", phaseDescriptions["recovered"], spec.Duration, spec.Warmup)
	seg := runSegment(ctx, g, spec, o.seed+1<<32, watchers, rdb)
	rec.Phase = summarizePhase(spec, []segment{seg}, watchers)
	// The phase's last clicks still have progress lines in flight when it
	// ends; the gauges after it are read once those went out.
	rec.AfterDrains = waitDrained(ctx, metrics, drainLimit)
	rec.After, _ = readGauges(ctx, metrics)
	return rec
}

// peakRSS is the highest RSS, in MiB, of every sample taken so far of the
// process named name; 0 if none is watched.
func peakRSS(watchers []*watched, name string) float64 {
	var peak int64
	for _, w := range watchers {
		if w.name != name {
			continue
		}
		for _, s := range w.between(time.Time{}, time.Now()) {
			peak = max(peak, s.RSS)
		}
	}
	return float64(peak) / 1024
}

// waitDrained polls until the bot has no send running or waiting.
func waitDrained(ctx context.Context, metricsURL string, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if g, err := readGauges(ctx, metricsURL); err == nil && g.Running == 0 && g.Waiting == 0 {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// readGauges reads the bot's Prometheus text exposition.
func readGauges(ctx context.Context, metricsURL string) (gauges, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL, nil)
	if err != nil {
		return gauges{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return gauges{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return gauges{}, fmt.Errorf("%s: %s", metricsURL, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return gauges{}, err
	}
	sum := func(name string) float64 {
		var v float64
		if f, ok := fams[name]; ok {
			for _, m := range f.GetMetric() {
				v += m.GetGauge().GetValue() + m.GetCounter().GetValue()
			}
		}
		return v
	}
	return gauges{Running: sum("caisbot_background_running"), Waiting: sum("caisbot_background_waiting"),
		Shed: sum("caisbot_background_shed_total"), Goroutines: sum("go_goroutines"),
		HeapMiB: sum("go_memstats_heap_inuse_bytes") / (1 << 20)}, nil
}

// recoveryChecks are the targets of the recovery: every send that waited
// went out or was shed, and clicks work as before, cards included (the
// recovered phase's errors count among the run's request errors).
func recoveryChecks(rec *recovery) []check {
	ph := rec.Phase // always run by recoverSlack
	rss := "not measured: the bot is not a process of its own"
	if rec.PeakMiB > 0 {
		rss = fmt.Sprintf("%.1f MiB at most", rec.PeakMiB)
	}
	drained := rec.Drain
	if !rec.AfterDrains {
		drained += "; after the recovered phase, not within " + drainLimit.String()
	}
	return []check{
		{"bot RSS while Slack hung", fmt.Sprintf("< %d MiB (the pod limit in deploy/)", podLimitMiB), rss, rec.PeakMiB > 0 && rec.PeakMiB < podLimitMiB},
		{"sends after recovery", fmt.Sprintf("none running or waiting within %s, and again after the recovered phase", drainLimit), drained, rec.Drains && rec.AfterDrains},
		{"clicks after recovery", "0 errors (a card missing is one)", fmt.Sprintf("%d errors; %d clicks, %d cards", ph.Errors, ph.Writes.N, ph.Cards),
			ph.Errors == 0 && ph.Writes.N > 0 && ph.Cards > 0},
	}
}

func (rec *recovery) print(w io.Writer) {
	row := func(name string, g gauges) {
		fmt.Fprintf(w, "  %-28s sends running %.0f, waiting %.0f, shed so far %.0f; %.0f goroutines; heap in use %.1f MiB\n",
			name, g.Running, g.Waiting, g.Shed, g.Goroutines, g.HeapMiB)
	}
	fmt.Fprintf(w, "\nSlack recovered (the fake Slack answers again)\n")
	row("while Slack hung:", rec.Hung)
	fmt.Fprintf(w, "  the bot's sends drained in %s\n", rec.Drain)
	row("after the recovered phase:", rec.After)
}
