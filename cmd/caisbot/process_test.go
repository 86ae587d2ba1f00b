package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/slackfake"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
)

const procSecret = "process-test-signing-secret"

// bot is a caisbot process started from the built binary.
type bot struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
}

// syncBuffer collects a process's log while tests may read it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "caisbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func redisURL(t *testing.T) string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://" + miniredis.RunT(t).Addr()
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startBot(t *testing.T, bin string, env ...string) *bot {
	t.Helper()
	b := &bot{addr: freeAddr(t), logs: &syncBuffer{}}
	b.cmd = exec.Command(bin)
	b.cmd.Env = append(os.Environ(), append(env, "CAIS_LISTEN_ADDR="+b.addr)...)
	b.cmd.Stderr = b.logs
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.cmd.Process.Kill(); _ = b.cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + b.addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return b
			}
		}
	}
	t.Fatalf("bot did not become ready:\n%s", b.logs)
	return nil
}

func (b *bot) post(form url.Values) (*http.Response, error) {
	body := form.Encode()
	req, _ := http.NewRequest(http.MethodPost, "http://"+b.addr+"/slack/events", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(procSecret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return http.DefaultClient.Do(req)
}

// yesValue asks the bot for team's Step 1 card and returns its Yes token.
func (b *bot) yesValue(team string) (string, error) {
	resp, err := b.post(url.Values{"team_id": {team}, "channel_id": {"C1"}, "user_id": {"U1"}, "command": {"/cais-next"}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	i := strings.Index(string(raw), `c1|choose|obligation|yes|`)
	if i < 0 {
		return "", fmt.Errorf("no Yes button in %s", raw)
	}
	return string(raw[i : i+strings.IndexByte(string(raw[i:]), '"')]), nil
}

func (b *bot) clickYes(team, value, responseURL string) error {
	p, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": team},
		"channel": map[string]any{"id": "C1"}, "response_url": responseURL,
		"actions": []map[string]any{{"type": "button", "block_id": "cais_actions", "action_id": "cais_a", "value": value, "action_ts": "1.1"}}})
	resp, err := b.post(url.Values{"payload": {string(p)}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// TestKillNineLosesNoConfirmationUsersSaw clicks for many firms, kills
// the bot mid-way with SIGKILL, restarts it, and checks that every firm
// whose user was told "done" (an updated card on its response_url) has
// its confirmation in Redis.
func TestKillNineLosesNoConfirmationUsersSaw(t *testing.T) {
	bin := buildBinary(t)
	fake := slackfake.New(t)
	rurl, prefix := redisURL(t), fmt.Sprintf("proc%d:", time.Now().UnixNano())
	env := []string{"SLACK_BOT_TOKEN=xoxb-proc", "SLACK_SIGNING_SECRET=" + procSecret, "SLACK_API_URL=" + fake.APIURL(),
		"REDIS_URL=" + rurl, "CAIS_REDIS_PREFIX=" + prefix}
	b := startBot(t, bin, env...)
	const firms = 200
	var wg sync.WaitGroup
	for i := range firms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			team := fmt.Sprintf("TK%03d", i)
			if v, err := b.yesValue(team); err == nil {
				_ = b.clickYes(team, v, fake.ResponseURL(team))
			}
		}()
	}
	// Kill once some users have been told, while others are mid-click.
	for deadline := time.Now().Add(10 * time.Second); len(fake.Calls("response_url")) < firms/4 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	_ = b.cmd.Process.Signal(syscall.SIGKILL)
	wg.Wait()
	_ = b.cmd.Wait()
	told := map[string]bool{}
	for _, c := range fake.Calls("response_url") {
		if strings.Contains(string(c.Body), "Step 2: Register for CAT CAIS") {
			told[strings.TrimPrefix(c.Path, "/response/")] = true
		}
	}
	if len(told) == 0 {
		t.Fatal("no click completed before the kill; the test proves nothing")
	}
	startBot(t, bin, env...) // restart on the same Redis
	opt, _ := redis.ParseURL(rurl)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	st := store.New(rdb, prefix)
	for team := range told {
		p, err := st.Load(context.Background(), firm.ID{Platform: firm.Slack, Workspace: team})
		if err != nil || p.Current != "register" {
			t.Errorf("%s was told Step 1 was confirmed, but Redis holds %+v (%v)", team, p, err)
		}
	}
	t.Logf("%d of %d firms were told before SIGKILL; all of them are in Redis", len(told), firms)
}

// TestSIGTERMDrainsAndExitsZero stops the bot while clicks are in flight.
func TestSIGTERMDrainsAndExitsZero(t *testing.T) {
	bin := buildBinary(t)
	fake := slackfake.New(t)
	b := startBot(t, bin, "SLACK_BOT_TOKEN=xoxb-proc", "SLACK_SIGNING_SECRET="+procSecret, "SLACK_API_URL="+fake.APIURL(),
		"REDIS_URL="+redisURL(t), fmt.Sprintf("CAIS_REDIS_PREFIX=term%d:", time.Now().UnixNano()))
	values := map[string]string{}
	for i := range 10 {
		team := fmt.Sprintf("TT%02d", i)
		v, err := b.yesValue(team)
		if err != nil {
			t.Fatal(err)
		}
		values[team] = v
	}
	var wg sync.WaitGroup
	for team, v := range values {
		wg.Add(1)
		go func() { defer wg.Done(); _ = b.clickYes(team, v, fake.ResponseURL(team)) }()
	}
	time.Sleep(5 * time.Millisecond)
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	wg.Wait()
	if err := b.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, b.logs)
	}
	if !strings.Contains(b.logs.String(), "shutting down") {
		t.Errorf("no shutdown log:\n%s", b.logs)
	}
}

func (b *bot) slash(t *testing.T, text string) string {
	t.Helper()
	resp, err := b.post(url.Values{"team_id": {"TANN"}, "channel_id": {"CANN"}, "user_id": {"U1"}, "command": {"/cais-next"}, "text": {text}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return string(raw)
}

// TestAnnouncementAfterDowntimeOnceAcrossReplicas subscribes a channel the
// day before a reminder is due, stops the bot over 09:00, and starts two
// replicas later that morning: the missed reminder goes out, once.
func TestAnnouncementAfterDowntimeOnceAcrossReplicas(t *testing.T) {
	bin := buildBinary(t)
	fake := slackfake.New(t)
	env := []string{"SLACK_BOT_TOKEN=xoxb-proc", "SLACK_SIGNING_SECRET=" + procSecret, "SLACK_API_URL=" + fake.APIURL(),
		"REDIS_URL=" + redisURL(t), fmt.Sprintf("CAIS_REDIS_PREFIX=ann%d:", time.Now().UnixNano()), "CAIS_ADMIN_USERS=U1"}
	first := startBot(t, bin, append(env, "CAIS_NOW=2027-05-30T12:00:00-04:00")...)
	for _, cmd := range []string{"deadline 2 2027-06-30", "announce"} {
		if out := first.slash(t, cmd); !strings.Contains(out, "Target date set") && !strings.Contains(out, "Announcements on") {
			t.Fatalf("%s: %s", cmd, out)
		}
	}
	_ = first.cmd.Process.Signal(syscall.SIGTERM)
	_ = first.cmd.Wait()
	if n := len(fake.Calls("chat.postMessage")); n != 1 { // the deadline's public line, no reminder yet
		t.Fatalf("%d posts before the due day, want only the deadline's public line", n)
	}
	later := append(env, "CAIS_NOW=2027-05-31T10:30:00-04:00")
	r1 := startBot(t, bin, later...)
	r2 := startBot(t, bin, later...)
	var reminders []slackfake.Call
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		reminders = reminders[:0]
		for _, c := range fake.Calls("chat.postMessage") {
			if strings.Contains(c.Param("text")+c.Param("blocks"), "June 30, 2027") && !strings.Contains(c.Param("text"), "set the firm's target") {
				reminders = append(reminders, c)
			}
		}
		if len(reminders) > 0 {
			time.Sleep(2 * time.Second) // give a duplicate the chance to show
			break
		}
	}
	if len(reminders) != 1 {
		t.Fatalf("%d reminders for the 30-day lead, want exactly 1\nreplica logs:\n%s\n%s", len(reminders), r1.logs, r2.logs)
	}
	if c := reminders[0]; c.Param("channel") != "CANN" {
		t.Fatalf("reminder went to %q", c.Param("channel"))
	}
}
