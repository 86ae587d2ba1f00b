package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/caisbot/caisbot/internal/app"
	"github.com/redis/go-redis/v9"
)

// testRedis is the real Redis at REDIS_URL (keys under a fresh prefix,
// deleted afterwards) or, without it, a miniredis of the test's own.
func testRedis(tb testing.TB) (*redis.Client, string, string) {
	tb.Helper()
	prefix := "caisloadtest:" + rand.Text()[:8] + ":"
	url := os.Getenv("REDIS_URL")
	if url == "" {
		m := miniredis.RunT(tb)
		url = "redis://" + m.Addr()
	}
	rdb, err := openRedis(url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = deletePrefix(ctx, rdb, prefix)
		_ = rdb.Close()
	})
	return rdb, prefix, url
}

const (
	benchSecret = "0123456789abcdef0123456789abcdef"
	benchAdmin  = "UBENCHADMIN"
)

// rig is the bot, wired by internal/app, in this process, over real Redis (or
// miniredis), with the fake Slack in memory: what it measures is the
// bot's own work and its Redis round trips, no network but Redis.
type rig struct {
	tb    testing.TB
	h     *app.App
	bare  *bare
	sink  *sink
	rt    *roundTrips
	sign  *signer
	seq   uint64
	firms []*firm
}

func newRig(tb testing.TB, firms int) *rig { return newRigWith(tb, firms, false) }

func newRigWith(tb testing.TB, firms int, noViewers bool) *rig {
	rdb, prefix, url := testRedis(tb)
	rt := &roundTrips{}
	rdb.AddHook(rt)
	s, _ := newSink("")
	httpc := &http.Client{Transport: memTransport{s}, Timeout: 10 * time.Second}
	h, err := newBot(botOptions{Secret: benchSecret, APIURL: s.apiURL(), Transport: memTransport{s}, RedisURL: url, RedisHook: rt,
		Prefix: prefix, Admins: []string{benchAdmin}, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), NoViewers: noViewers})
	if err != nil {
		tb.Fatal(err)
	}
	// Served as in production: roles are kept only while their watch runs.
	tb.Cleanup(serveBot(h))
	r := &rig{tb: tb, h: h, bare: newBare(rdb, benchSecret, prefix, s.apiURL(), httpc), sink: s, rt: rt, sign: newSigner(benchSecret)}
	run := rand.Text()[:6]
	for i := range firms {
		r.firms = append(r.firms, newFirm(run, i, benchAdmin, s.responseURL(0)))
	}
	return r
}

// serve runs one signed request through h and returns the response body.
func (r *rig) serve(h http.Handler, body []byte) []byte {
	req := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
	req.Header = r.sign.header(body, time.Now())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), unavailableMark) {
		r.tb.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
	}
	return rec.Body.Bytes()
}

// click presses value as user and returns the card posted to the
// response_url, with the Redis round trips made before the answer and in
// the background sends after it.
func (r *rig) click(f *firm, user, action, value string) (card []byte, fg, bg int64) {
	r.seq++
	id := r.seq
	ch := r.sink.expect(id)
	defer r.sink.forget(id)
	trigger := "trig" + strconv.FormatUint(id, 10)
	rt0 := r.rt.n.Load()
	r.serve(r.h, clickBody(nil, f, user, action, value, trigger, r.sink.responseURL(id), "1700000000."+strconv.FormatUint(id, 10)))
	if v, ok := r.sink.opened(trigger); ok {
		r.serve(r.h, submitBody(nil, f, user, v, agentsInput))
	}
	rt1 := r.rt.n.Load()
	r.h.Wait()
	rt2 := r.rt.n.Load()
	select {
	case card = <-ch:
	default:
		r.tb.Fatal("no card at the response_url")
	}
	return card, rt1 - rt0, rt2 - rt1
}

// ready gives f a current card: /cais-next, or a reset by the admin when
// the roadmap is complete.
func (r *rig) ready(f *firm) {
	for f.card == "" {
		if f.done {
			action, value, ok := button(r.serve(r.h, f.cmd[cmdReset]), "danger")
			if !ok {
				r.tb.Fatal("no reset button")
			}
			card, _, _ := r.click(f, f.admin, action, value)
			f.learn(card)
			continue
		}
		f.learn(r.serve(r.h, f.cmd[cmdNext]))
	}
}

// BenchmarkClick is one button click on the write path, in process:
// verify → decode → dialogs → Redis (Load, Commit) → render → the card
// posted to the response_url and the public line to chat.postMessage
// (background sends included: the benchmark waits for them). Firms walk
// the whole roadmap by their primary buttons; the agents modal counts as
// part of its click. Run with REDIS_URL for real Redis, e.g.
//
//	REDIS_URL=redis://127.0.0.1:6379 go test ./cmd/caisload -run '^$' -bench Click -cpuprofile cpu.out
func BenchmarkClick(b *testing.B) { benchClick(b, false) }

// BenchmarkClickNoHomeRefresh is BenchmarkClick with the bot wired
// without Home viewers: what skipping the Home refresh of a firm nobody
// views would save (slackbot refreshes it after every change, and with
// no viewers still loads the progress and renders the Home view).
func BenchmarkClickNoHomeRefresh(b *testing.B) { benchClick(b, true) }

func benchClick(b *testing.B, noViewers bool) {
	r := newRigWith(b, 64, noViewers)
	var fg, bg, clicks int64
	i := 0
	for b.Loop() {
		f := r.firms[i%len(r.firms)]
		i++
		if f.card == "" {
			b.StopTimer()
			r.ready(f)
			b.StartTimer()
		}
		card, f1, b1 := r.click(f, f.user, f.action, f.card)
		f.learn(card)
		fg, bg, clicks = fg+f1, bg+b1, clicks+1
	}
	b.ReportMetric(float64(fg)/float64(clicks), "redis-rt/click")
	b.ReportMetric(float64(bg)/float64(clicks), "redis-rt-bg/click")
}

// BenchmarkNext is one /cais-next on the read path, in process, over
// firms at every step of the roadmap.
func BenchmarkNext(b *testing.B) {
	r := newRig(b, 64)
	for j, f := range r.firms { // spread the firms over the roadmap
		for range j % 9 {
			r.ready(f)
			card, _, _ := r.click(f, f.user, f.action, f.card)
			f.learn(card)
		}
	}
	r.h.Wait()
	rt0 := r.rt.n.Load()
	i := 0
	for b.Loop() {
		r.serve(r.h, r.firms[i%len(r.firms)].cmd[cmdNext])
		i++
	}
	r.h.Wait()
	b.ReportMetric(float64(r.rt.n.Load()-rt0)/float64(i), "redis-rt/op")
}

// BenchmarkBareClick is the reference's click in the same harness: the
// commit before the answer and, after it, the card to the response_url
// and the chat.postMessage (the benchmark waits for them).
func BenchmarkBareClick(b *testing.B) {
	r := newRig(b, 64)
	for _, f := range r.firms {
		f.learn(r.serve(r.bare, f.cmd[cmdNext]))
	}
	rt0 := r.rt.n.Load()
	i := 0
	for b.Loop() {
		f := r.firms[i%len(r.firms)]
		i++
		r.seq++
		ch := r.sink.expect(r.seq)
		r.serve(r.bare, clickBody(nil, f, f.user, f.action, f.card, "trig", r.sink.responseURL(r.seq), "1700000000."+strconv.FormatUint(r.seq, 10)))
		r.bare.Wait()
		select {
		case card := <-ch:
			f.learn(card)
		default:
			b.Fatal("no card at the response_url")
		}
		r.sink.forget(r.seq)
	}
	b.ReportMetric(float64(r.rt.n.Load()-rt0)/float64(i), "redis-rt/op")
}

// BenchmarkBare is the reference handler in the same harness.
func BenchmarkBare(b *testing.B) {
	r := newRig(b, 64)
	i := 0
	for b.Loop() {
		r.serve(r.bare, r.firms[i%len(r.firms)].cmd[cmdNext])
		i++
	}
}
