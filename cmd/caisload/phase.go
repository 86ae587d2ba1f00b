package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// edge is what is read at either end of a measured window.
type edge struct {
	procs []procSample
	redis redisSnap
	sink  map[string]int64
}

// segment is one measured window of a phase.
type segment struct {
	ws          []*worker
	from, until time.Time
	a, b        edge
}

// runPhases runs every phase for -duration, in -rounds interleaved
// segments, and summarises each phase over its segments.
func runPhases(ctx context.Context, o *options, g *gen, botURL, bareURL string, watchers []*watched, rdb redis.UniversalClient, log io.Writer) []*phaseResult {
	names := phaseList(o.phases)
	specs := map[string]phaseSpec{}
	segs := map[string][]segment{}
	per := o.duration / time.Duration(o.rounds)
	for r := range o.rounds {
		for i, name := range names {
			if ctx.Err() != nil {
				break
			}
			spec := phaseSpec{Name: name, URL: botURL, Duration: per, Warmup: o.warmup}
			switch name {
			case "mix":
				spec.Mix, spec.Stale = o.mix, o.stale
			case "next":
				spec.OnlyNext = true
			case "bare":
				spec.OnlyNext, spec.URL = true, bareURL
			case "bare-click": // the click phase's traffic
				spec.Reference, spec.URL = true, bareURL
			}
			specs[name] = spec
			fmt.Fprintf(log, "caisload: phase %s (round %d/%d): %s (%s + %s warm-up)\n", name, r+1, o.rounds, phaseDescriptions[name], per, o.warmup)
			seg := runSegment(ctx, g, spec, o.seed+uint64(r*len(names)+i), watchers, rdb)
			n := 0
			for _, w := range seg.ws {
				for k := range nKinds {
					n += len(w.lat[k])
				}
			}
			fmt.Fprintf(log, "caisload: phase %s: %.0f req/s%s\n", name, float64(n)/per.Seconds(), segmentCPU(seg, watchers, n))
			segs[name] = append(segs[name], seg)
		}
	}
	var out []*phaseResult
	for _, name := range names {
		if len(segs[name]) > 0 {
			out = append(out, summarizePhase(specs[name], segs[name], watchers))
		}
	}
	return out
}

// segmentCPU is each busy process's CPU per request in one segment, so
// the log shows the spread between rounds.
func segmentCPU(seg segment, watchers []*watched, n int) string {
	out := ""
	for i, w := range watchers {
		if i >= len(seg.a.procs) || i >= len(seg.b.procs) || n == 0 || w.pid == machinePID {
			continue
		}
		cpu := seg.b.procs[i].CPU - seg.a.procs[i].CPU
		if us := float64(cpu.Microseconds()) / float64(n); us >= 5 {
			out += fmt.Sprintf(", %s %.0f µs", w.name, us)
		}
	}
	if out == "" {
		return ""
	}
	return " (CPU per request" + out + ")"
}

// runSegment runs one window and reads processes, Redis and the fake
// Slack exactly at its edges.
func runSegment(ctx context.Context, g *gen, spec phaseSpec, seed uint64, watchers []*watched, rdb redis.UniversalClient) segment {
	from := time.Now().Add(spec.Warmup)
	until := from.Add(spec.Duration)
	take := func() edge {
		e := edge{redis: snapRedis(ctx, rdb), sink: g.sink.counts()}
		for _, w := range watchers {
			s, _ := w.sample()
			e.procs = append(e.procs, s)
		}
		return e
	}
	edges := make(chan edge, 2)
	go func() {
		for _, at := range []time.Time{from, until} {
			select {
			case <-time.After(time.Until(at)):
			case <-ctx.Done():
			}
			edges <- take()
		}
	}()
	ws := g.run(ctx, spec, seed, from, until)
	a, b := <-edges, <-edges
	return segment{ws: ws, from: from, until: until, a: a, b: b}
}

func summarizePhase(spec phaseSpec, segs []segment, watchers []*watched) *phaseResult {
	var ws []*worker
	var window time.Duration
	for _, s := range segs {
		ws = append(ws, s.ws...)
		window += s.until.Sub(s.from)
	}
	pr := merge(spec, ws, window)
	pr.Segments = len(segs)
	for _, s := range segs {
		pr.Rounds = append(pr.Rounds, rateOf(s.ws, s.until.Sub(s.from)))
	}
	mib := func(kib int64) float64 { return float64(kib) / 1024 }
	var ours, machine float64
	for i, w := range watchers {
		var cpu time.Duration
		var rss []procSample
		for _, s := range segs {
			cpu += s.b.procs[i].CPU - s.a.procs[i].CPU
			rss = append(rss, s.a.procs[i])
			rss = append(rss, w.between(s.from, s.until)...)
			rss = append(rss, s.b.procs[i])
		}
		pf := procFigures{Name: w.name, Cores: cpu.Seconds() / window.Seconds()}
		if w.pid == machinePID {
			machine = pf.Cores
			continue
		}
		ours += pf.Cores
		if pr.All.N > 0 {
			pf.CPUPerReq = float64(cpu.Microseconds()) / float64(pr.All.N)
		}
		pf.RSSStart, pf.RSSMiddle, pf.RSSEnd = mib(rss[0].RSS), mib(rss[len(rss)/2].RSS), mib(rss[len(rss)-1].RSS)
		for _, s := range rss {
			pf.RSSMax = max(pf.RSSMax, mib(s.RSS))
		}
		if pf.RSSMiddle > 0 {
			pf.GrowthHalf = 100 * (pf.RSSEnd - pf.RSSMiddle) / pf.RSSMiddle
		}
		pr.Procs = append(pr.Procs, pf)
	}
	// What the machine did besides this run's processes.
	pr.MachineCores, pr.OtherCores = machine, max(0, machine-ours)
	var rs []redisSnap
	pr.Sink = map[string]int64{}
	for _, s := range segs {
		rs = append(rs, s.a.redis, s.b.redis)
		for k, v := range s.b.sink {
			if d := v - s.a.sink[k]; d > 0 {
				pr.Sink[k] += d
			}
		}
	}
	pr.Redis = redisDelta(rs, pr.All.N)
	return pr
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
	"click":     "bot, write path: clicks on the current card (commands only to fetch a card or start a finished firm over)",
	"mix":       "bot, realistic mix: commands and clicks, with simultaneous clicks on one card",
	"next":      "bot, read path: /cais-next only",
	"bare":      "bare reference handler: /cais-next only (verify, one HMGET, write a canned card)",
	"recovered": "bot, write path again after Slack stopped hanging (-slack-hang): clicks, each waiting for its card",
	"bare-click": "bare reference handler: the click phase's clicks (verify, decode the payload, one HMGET, one commit script, " +
		"an empty 200, then a canned card to the response_url and a chat.postMessage)",
}
