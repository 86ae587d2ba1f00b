// Package metrics holds caisbot's Prometheus collectors and the hooks that
// feed them: a Slack request observer, a go-redis hook, an HTTP transport
// for Web API calls, and a cached gauge of firms by step.
package metrics

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
)

// Metrics is one registry with every caisbot collector.
type Metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	redisLatency  *prometheus.HistogramVec
	redisErrors   *prometheus.CounterVec
	slackCalls    *prometheus.CounterVec
	integrity     *prometheus.CounterVec
	shed          *prometheus.CounterVec
	Announcements *prometheus.CounterVec
}

// New registers the collectors, plus Go runtime and process metrics.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caisbot_requests_total",
		Help: "Slack requests by kind and outcome (ok, error: the user was told of a failure, rejected)."}, []string{"kind", "outcome"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "caisbot_request_duration_seconds",
		Help: "Time to answer Slack, by request kind.", Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3}}, []string{"kind"})
	m.redisLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "caisbot_redis_duration_seconds",
		Help: "Redis call latency by command.", Buckets: []float64{.0002, .0005, .001, .0025, .005, .01, .025, .05, .1, .5, 1}}, []string{"command"})
	m.redisErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caisbot_redis_errors_total",
		Help: "Redis calls that failed, by command."}, []string{"command"})
	m.slackCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caisbot_slack_api_calls_total",
		Help: "Slack Web API calls by method and HTTP status (429 = rate limited, error = no response)."}, []string{"method", "status"})
	m.Announcements = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caisbot_announcements_total",
		Help: "Deadline-announcement events: sent, recovered, skipped, missed, failed, gone, rate_limited, retry, duplicate, error; unverified = a Teams reminder posted without a history check (see README)."}, []string{"event"})
	m.integrity = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caisbot_integrity_failures_total",
		Help: "Stored records that failed their integrity check, by where it was found: request (a command or click refused, nothing changed), verify (verify found a problem). Any increase needs a person: run verify in that firm."}, []string{"where"})
	m.shed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caisbot_background_shed_total",
		Help: "Background sends to the platform not made, by call and why: full (too many already waiting for a slow or hanging platform; logged) or superseded (a newer Home refresh for the same firm replaced one still waiting)."}, []string{"call", "why"})
	m.reg.MustRegister(m.requests, m.latency, m.redisLatency, m.redisErrors, m.slackCalls, m.integrity, m.shed, m.Announcements,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// BackgroundLoad exports how many background sends to the platforms run
// and wait now (load: adapter.Background.Load, summed over platforms): a
// waiting count that stays up means a platform is slow or hanging.
func (m *Metrics) BackgroundLoad(load func() (running, waiting int)) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "caisbot_background_running", Help: "Background sends to Slack or Teams in flight."},
			func() float64 { r, _ := load(); return float64(r) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "caisbot_background_waiting", Help: "Background sends waiting for a slot (bounded; beyond the bound they are shed)."},
			func() float64 { _, w := load(); return float64(w) }))
}

// Shed counts a background send not made (adapter.Background.OnShed).
func (m *Metrics) Shed(call, why string) { m.shed.WithLabelValues(call, why).Inc() }

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Observe records one Slack request (it fits slackbot.Observer).
func (m *Metrics) Observe(kind, outcome string, d time.Duration) {
	m.requests.WithLabelValues(kind, outcome).Inc()
	m.latency.WithLabelValues(kind).Observe(d.Seconds())
}

// IntegrityFailure counts one integrity failure found at where (it fits
// dialogs.IntegrityHook).
func (m *Metrics) IntegrityFailure(where string) { m.integrity.WithLabelValues(where).Inc() }

// Transport counts Web API calls by method and status.
func (m *Metrics) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		if !strings.Contains(method, ".") {
			method = "response_url"
		}
		resp, err := base.RoundTrip(r)
		status := "error"
		if err == nil {
			status = strconv.Itoa(resp.StatusCode)
		}
		m.slackCalls.WithLabelValues(method, status).Inc()
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// RedisHook times every Redis command and counts failures.
func (m *Metrics) RedisHook() redis.Hook { return redisHook{m} }

type redisHook struct{ m *Metrics }

func (h redisHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := next(ctx, network, addr)
		if err != nil {
			h.m.redisErrors.WithLabelValues("dial").Inc()
		}
		return c, err
	}
}

func (h redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmd)
		h.m.record(cmd.Name(), start, countable([]redis.Cmder{cmd}, err))
		return err
	}
}

func (h redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmds)
		h.m.record("pipeline", start, countable(cmds, err))
		return err
	}
}

// countable is err unless it is a refusal go-redis itself ignores: the
// CLIENT SETINFO and CLIENT MAINT_NOTIFICATIONS it sends on each new
// connection, which Redis before 7.2 (and miniredis) does not know — a
// healthy Redis must not count errors.
func countable(cmds []redis.Cmder, err error) error {
	if err == nil {
		return nil
	}
	failed, connectOnly := false, true
	for _, c := range cmds {
		if connectTime(c) {
			continue
		}
		connectOnly = false
		if e := c.Err(); e != nil && e != redis.Nil {
			failed = true
		}
	}
	switch {
	case connectOnly:
		return nil
	case failed || !slices.ContainsFunc(cmds, connectTime):
		return err
	}
	return nil // no other command failed: the error is the handshake's
}

func connectTime(c redis.Cmder) bool {
	args := c.Args()
	if len(args) < 2 || !strings.EqualFold(c.Name(), "client") {
		return false
	}
	sub, _ := args[1].(string)
	return strings.EqualFold(sub, "setinfo") || strings.EqualFold(sub, "maint_notifications")
}

func (m *Metrics) record(cmd string, start time.Time, err error) {
	m.redisLatency.WithLabelValues(cmd).Observe(time.Since(start).Seconds())
	if err != nil && err != redis.Nil {
		m.redisErrors.WithLabelValues(cmd).Inc()
	}
}

// FirmsByStep exports the number of firms on each step, computed by count
// at most once per interval: counting reads every firm.
func (m *Metrics) FirmsByStep(interval time.Duration, count func(context.Context) (map[string]int, error)) {
	c := &stepCollector{desc: prometheus.NewDesc("caisbot_firms", "Firms by current step or outcome (refreshed at most once a minute).", []string{"step"}, nil),
		interval: interval, count: count}
	m.reg.MustRegister(c)
}

type stepCollector struct {
	desc     *prometheus.Desc
	interval time.Duration
	count    func(context.Context) (map[string]int, error)
	mu       sync.Mutex
	at       time.Time
	last     map[string]int
}

func (c *stepCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *stepCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.at) >= c.interval {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if n, err := c.count(ctx); err == nil {
			c.last, c.at = n, time.Now()
		}
		cancel()
	}
	for step, n := range c.last {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), step)
	}
}
