package slackbot

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/internal/slackfake"
	"github.com/caisbot/caisbot/store"
)

func storeAt(t *testing.T, url string) *store.Redis {
	rdb, err := store.Open(store.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	return store.New(rdb, "test:")
}

func TestRedisTroubleIsAnsweredInTime(t *testing.T) {
	down := miniredis.RunT(t)
	downURL := "redis://" + down.Addr()
	down.Close()
	for name, url := range map[string]string{"silent": "redis://" + redistest.Silent(t), "down": downURL} {
		t.Run(name, func(t *testing.T) {
			r := newRigOn(t, storeAt(t, url))
			start := time.Now()
			got := text(r.slash("U1", ""))
			if took := time.Since(start); took > 2500*time.Millisecond {
				t.Errorf("answered after %v; Slack gives 3 s", took)
			}
			if !strings.Contains(got, "temporarily unavailable") && !strings.Contains(got, "Temporarily unavailable") || !strings.Contains(got, "Nothing was changed") {
				t.Fatalf("reply:\n%s", got)
			}
		})
	}
}

func TestRecoversWhenRedisIsBack(t *testing.T) {
	m := miniredis.RunT(t)
	r := newRigOn(t, storeAt(t, "redis://"+m.Addr()))
	card := r.slash("U1", "")
	addr := m.Addr()
	m.Close()
	if got := text(r.slash("U1", "")); !strings.Contains(got, "Temporarily unavailable") {
		t.Fatalf("while down:\n%s", got)
	}
	if err := m.StartAddr(addr); err != nil {
		t.Fatal(err)
	}
	if h := header(r.click(card, "Yes", "U1")); !strings.HasPrefix(h, "Step 2:") {
		t.Fatalf("after Redis came back: %q", h)
	}
}

func TestDuplicateDeliveryChangesStateOnce(t *testing.T) {
	r := newRig(t)
	body := r.clickPayload(button(t, r.slash("U1", ""), "Yes"), "U1", "dup")
	for range 2 {
		resp := r.post(body, "application/x-www-form-urlencoded")
		resp.Body.Close()
	}
	r.h.Wait()
	if n := r.audit(); n != 1 {
		t.Fatalf("a payload delivered twice wrote %d entries", n)
	}
	if n := len(r.slack.Calls("chat.postMessage")); n != 1 {
		t.Fatalf("a payload delivered twice posted %d public lines", n)
	}
}

func TestCardUpdateFailureTellsTheUser(t *testing.T) {
	r := newRig(t)
	card := r.slash("U1", "")
	r.slack.FailNext("response_url", slackfake.Failure{Status: 500})
	resp := r.post(r.clickPayload(button(t, card, "Yes"), "U1", "lost"), "application/x-www-form-urlencoded")
	resp.Body.Close()
	eph := r.slack.Wait(t, "chat.postEphemeral", 1)
	if eph[0].Param("user") != "U1" || !strings.Contains(eph[0].Param("text"), "out of date") {
		t.Fatalf("ephemeral: %+v", eph[0].Form)
	}
	if n := r.audit(); n != 1 {
		t.Fatalf("audit %d: the confirmation must stand, once", n)
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	r := newRig(t)
	r.h.log = slog.New(slog.NewJSONHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	card := r.slash("U1", "")
	r.slack.FailNext("chat.postMessage", slackfake.Failure{Status: 500})
	r.click(card, "Yes", "U1")
	r.slash("U1", "frobnicate")
	resp := r.post("command=/cais-next", "application/x-www-form-urlencoded")
	resp.Body.Close()
	bad := newRigOn(t, storeAt(t, "redis://:hunter2pass@127.0.0.1:1"))
	bad.h.log = r.h.log
	bad.slash("U1", "")
	r.h.Wait()
	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	if !strings.Contains(logs, "request_id") {
		t.Fatalf("logs carry no request id:\n%s", logs)
	}
	for _, s := range []string{secret, "xoxb-test", "hunter2pass"} {
		if strings.Contains(logs, s) {
			t.Fatalf("logs contain secret %q:\n%s", s, logs)
		}
	}
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func TestProgressLineRefusedTellsTheUser(t *testing.T) {
	r := newRig(t)
	card := r.slash("U1", "")
	r.slack.FailNext("chat.postMessage", slackfake.Failure{Status: 200, Error: "not_in_channel"})
	r.click(card, "Yes", "U1")
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, c := range r.slack.Calls("response_url") {
			if strings.Contains(string(c.Body), "/invite @caisbot") {
				if r.audit() != 1 {
					t.Fatalf("audit %d, want the confirmation recorded once", r.audit())
				}
				return
			}
		}
	}
	t.Fatal("the user was not told that the team could not see the progress line")
}

// At Info every change leaves one line with its request id (a public one
// or not, a command or a click) and a read none; Debug adds the reads.
func TestCommandLogLevels(t *testing.T) {
	for _, c := range []struct {
		level      slog.Level
		reads, all int
	}{{slog.LevelInfo, 0, 3}, {slog.LevelDebug, 2, 5}} {
		var buf bytes.Buffer
		var mu sync.Mutex
		r := newRig(t)
		r.h.log = slog.New(slog.NewJSONHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: c.level}))
		card := r.slash("U1", "")
		r.slash("U1", "status")
		r.slash(admin, "deadline 2 2027-06-05")
		r.slash(admin, "announce") // a change with no public line
		r.click(card, "Yes", "U1")
		r.h.Wait()
		mu.Lock()
		logs := buf.String()
		mu.Unlock()
		handled := strings.Count(logs, `handled"`)
		reads := strings.Count(logs, `"command":"next"`) + strings.Count(logs, `"command":"status"`)
		if handled != c.all || reads != c.reads || !strings.Contains(logs, `"request_id"`) {
			t.Errorf("level %v: %d lines, %d reads, want %d and %d:\n%s", c.level, handled, reads, c.all, c.reads, logs)
		}
	}
}

// A click whose connection Slack has already closed (it gave up waiting)
// is still recorded and its card still delivered: the handler's budget,
// not the connection, bounds the work, so a change never stops halfway.
func TestClickCompletesAfterSlackHangsUp(t *testing.T) {
	r := newRig(t)
	card := r.slash("U1", "")
	body := r.clickPayload(button(t, card, "Yes"), "U1", "gone")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client is gone before the bot starts
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/slack/events", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sign(req, body, time.Now(), secret)
	r.h.ServeHTTP(httptest.NewRecorder(), req)

	if got := text(r.responded("gone")); !strings.Contains(got, "Step 2") {
		t.Fatalf("card after the click: %q, want Step 2", got)
	}
	p, err := r.store.Load(context.Background(), slackFirm(team))
	if err != nil || p.Version != 1 || len(p.Path) != 1 {
		t.Fatalf("stored progress %+v, %v: want the confirmation recorded", p, err)
	}
}
