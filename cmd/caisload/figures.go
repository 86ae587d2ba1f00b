// Figures: a phase's latencies and errors, merged over its workers and
// segments, and their percentiles.

package main

import (
	"slices"
	"time"
)

// phaseResult is one phase's figures.
type phaseResult struct {
	Name     string              `json:"name"`
	Target   string              `json:"target"`
	Window   time.Duration       `json:"window_ns"`
	Segments int                 `json:"segments"`
	Kinds    map[string]*figures `json:"kinds"`
	Commands *figures            `json:"commands"` // every slash command
	Writes   *figures            `json:"writes"`   // every click and modal
	All      *figures            `json:"all"`
	Card     latency             `json:"click_to_card"` // click sent → card at the response_url
	Cards    int64               `json:"cards"`         // cards that arrived there
	Pairs    int64               `json:"stale_pairs"`   // pairs of simultaneous clicks checked
	Errors   int64               `json:"errors"`
	// Rounds are the rates of each interleaved segment, in order: the
	// spread a single figure hides.
	Rounds []roundRate   `json:"rounds,omitempty"`
	Procs  []procFigures `json:"processes,omitempty"`
	// MachineCores is the busy CPU of the whole machine; OtherCores the
	// part of it not used by this run's processes (other work on the
	// machine, which skews the figures).
	MachineCores float64          `json:"machine_cpu_cores"`
	OtherCores   float64          `json:"other_processes_cpu_cores"`
	Redis        *redisFigures    `json:"redis,omitempty"`
	Sink         map[string]int64 `json:"fake_slack_calls,omitempty"`
}

type figures struct {
	N      int64            `json:"requests"`
	PerSec float64          `json:"req_per_s"`
	Errors map[string]int64 `json:"errors,omitempty"`
	Lat    latency          `json:"latency"`
}

type latency struct {
	P50  time.Duration `json:"p50_ns"`
	P90  time.Duration `json:"p90_ns"`
	P99  time.Duration `json:"p99_ns"`
	Max  time.Duration `json:"max_ns"`
	Mean time.Duration `json:"mean_ns"`
}

// merge summarises the workers of every segment of a phase; window is
// the phase's total measured time.
func merge(spec phaseSpec, ws []*worker, window time.Duration) *phaseResult {
	pr := &phaseResult{Name: spec.Name, Target: spec.URL, Window: window, Kinds: map[string]*figures{}}
	var all, cmds, writes []time.Duration
	var allE, cmdE, wrE [nErr]int64
	for k := range nKinds {
		var lat []time.Duration
		var errs [nErr]int64
		for _, w := range ws {
			lat = append(lat, w.lat[k]...)
			for e := range nErr {
				errs[e] += w.errs[k][e]
			}
		}
		if len(lat) == 0 && sum(errs) == 0 {
			continue
		}
		pr.Kinds[k.String()] = summarize(lat, errs, window)
		all = append(all, lat...)
		addErrs(&allE, errs)
		if k.interactive() {
			writes = append(writes, lat...)
			addErrs(&wrE, errs)
		} else {
			cmds = append(cmds, lat...)
			addErrs(&cmdE, errs)
		}
	}
	pr.All = summarize(all, allE, window)
	pr.Commands = summarize(cmds, cmdE, window)
	pr.Writes = summarize(writes, wrE, window)
	pr.Errors = sum(allE)
	var card []time.Duration
	for _, w := range ws {
		card = append(card, w.cardLat...)
		pr.Pairs += w.pairs
	}
	pr.Card, pr.Cards = percentiles(card), int64(len(card))
	return pr
}

func sum(e [nErr]int64) (n int64) {
	for _, v := range e {
		n += v
	}
	return n
}

func addErrs(dst *[nErr]int64, e [nErr]int64) {
	for i, v := range e {
		dst[i] += v
	}
}

func summarize(lat []time.Duration, errs [nErr]int64, window time.Duration) *figures {
	f := &figures{N: int64(len(lat)), Lat: percentiles(lat)}
	if window > 0 {
		f.PerSec = float64(len(lat)) / window.Seconds()
	}
	for e, n := range errs {
		if n > 0 {
			if f.Errors == nil {
				f.Errors = map[string]int64{}
			}
			f.Errors[errNames[e]] = n
		}
	}
	return f
}

func percentiles(lat []time.Duration) latency {
	if len(lat) == 0 {
		return latency{}
	}
	slices.Sort(lat)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(lat))+0.999999) - 1
		return lat[max(0, min(i, len(lat)-1))]
	}
	var total time.Duration
	for _, d := range lat {
		total += d
	}
	return latency{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: lat[len(lat)-1], Mean: total / time.Duration(len(lat))}
}

// roundRate is one segment's throughput.
type roundRate struct {
	All    float64 `json:"req_per_s"`
	Writes float64 `json:"writes_per_s"` // clicks and modals
}

// rateOf counts a segment's answered requests per second.
func rateOf(ws []*worker, window time.Duration) roundRate {
	if window <= 0 {
		return roundRate{}
	}
	var all, writes int
	for _, w := range ws {
		for k := range nKinds {
			all += len(w.lat[k])
			if k.interactive() {
				writes += len(w.lat[k])
			}
		}
	}
	return roundRate{All: float64(all) / window.Seconds(), Writes: float64(writes) / window.Seconds()}
}
