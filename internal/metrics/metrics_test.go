package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/redis/go-redis/v9"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func TestMetricsExposeWhatOperatorsNeed(t *testing.T) {
	m := New()
	m.Observe("command", "ok", 3*time.Millisecond)
	m.Observe("block_actions", "error", time.Second)
	m.Announcements.WithLabelValues("sent").Inc()
	m.IntegrityFailure("request")

	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "chat.postMessage") {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer slack.Close()
	c := &http.Client{Transport: m.Transport(nil)}
	for _, path := range []string{"/api/chat.postMessage", "/api/views.publish", "/commands/T1/123/abc"} {
		resp, err := c.Post(slack.URL+path, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	rdb.AddHook(m.RedisHook())
	_ = rdb.Get(context.Background(), "k").Err()
	rdb.Close()

	m.FirmsByStep(time.Minute, func(context.Context) (map[string]int, error) {
		return map[string]int{"register": 3, "complete": 1}, nil
	})
	m.BackgroundLoad(func() (int, int) { return 256, 4096 })
	m.Shed("chat.postMessage", "full")
	out := scrape(t, m)
	for _, want := range []string{
		`caisbot_background_running 256`,
		`caisbot_background_waiting 4096`,
		`caisbot_background_shed_total{call="chat.postMessage",why="full"} 1`,
		`caisbot_requests_total{kind="command",outcome="ok"} 1`,
		`caisbot_requests_total{kind="block_actions",outcome="error"} 1`,
		`caisbot_request_duration_seconds_bucket{kind="command",le="0.005"} 1`,
		`caisbot_slack_api_calls_total{method="chat.postMessage",status="429"} 1`,
		`caisbot_slack_api_calls_total{method="views.publish",status="200"} 1`,
		`caisbot_slack_api_calls_total{method="response_url",status="200"} 1`,
		`caisbot_redis_errors_total{command="get"} 1`,
		`caisbot_announcements_total{event="sent"} 1`,
		`caisbot_integrity_failures_total{where="request"} 1`,
		`caisbot_firms{step="register"} 3`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// Connecting to a healthy Redis counts no error: go-redis sends CLIENT
// SETINFO on each new connection and ignores its refusal by Redis before
// 7.2 (and miniredis), so neither may an operator's alert.
func TestRedisConnectCountsNoError(t *testing.T) {
	m := New()
	base, _ := redistest.New(t)
	c, ok := base.(*redis.Client)
	if !ok {
		t.Skip("needs a single-node client")
	}
	o := c.Options()
	rdb := redis.NewClient(&redis.Options{Addr: o.Addr, DB: o.DB, Username: o.Username, Password: o.Password})
	rdb.AddHook(m.RedisHook())
	defer rdb.Close()
	for range 3 { // several connections at once
		if err := rdb.Ping(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if out := scrape(t, m); strings.Contains(out, "caisbot_redis_errors_total{") {
		t.Errorf("a healthy Redis counted errors:\n%s", grepLines(out, "caisbot_redis_errors_total"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
