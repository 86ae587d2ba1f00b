package store_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Real multi-node Redis for the Cluster and Sentinel tests: redis-server
// processes on loopback, each in its own temporary directory, killed when
// the test ends. They need redis-server and redis-cli on PATH (CI installs
// them); without them the tests skip, except under CI, where they fail.

// needRedisBinaries skips (or, with CI set, fails) when the Redis
// binaries are missing.
func needRedisBinaries(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts redis-server processes; skipped with -short")
	}
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			msg := fmt.Sprintf("%s is not on PATH: install Redis (Debian: apt-get install redis-server redis-tools) to run the multi-node Redis tests", bin)
			if os.Getenv("CI") != "" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// redisProc is one redis-server (or Sentinel) this test started.
type redisProc struct {
	name     string
	port     int
	password string // from --requirepass
	dir      string
	cmd      *exec.Cmd
	done     chan struct{} // closed when the process has exited
}

// testPassword protects the test servers, so the tests prove that
// credentials from REDIS_URL reach every node (caisbot's REDIS_URL with
// REDIS_ADDRS supplies them).
const testPassword = "caisbot-test-pw"

// auth are the arguments that protect a server (and let a replica log in
// to its master) with testPassword.
var auth = []string{"--requirepass", testPassword, "--masterauth", testPassword}

func (p *redisProc) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)) }

func (p *redisProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill stops the process at once, as a crash would, and waits for it.
func (p *redisProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// logTail is the end of the process' log, for failure messages.
func (p *redisProc) logTail() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "redis.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// startRedis starts redis-server with args on a free loopback port (with
// the port 10000 above it free too when bus is set: Redis Cluster's bus)
// and waits until it answers PING. conf, when not empty, is written to a
// config file given first (Sentinel needs one it can rewrite).
func startRedis(t *testing.T, name string, bus bool, conf string, args ...string) *redisProc {
	t.Helper()
	var lastErr error
	for range 5 { // a free port may be taken before redis-server binds it
		p, err := tryStartRedis(t, name, freePort(t, bus), conf, args)
		if err == nil {
			return p
		}
		lastErr = err
	}
	t.Fatalf("starting %s: %v", name, lastErr)
	return nil
}

func tryStartRedis(t *testing.T, name string, port int, conf string, args []string) (*redisProc, error) {
	dir := t.TempDir()
	var argv []string
	if conf != "" {
		file := filepath.Join(dir, name+".conf")
		conf = fmt.Sprintf("port %d\n%s\n", port, conf)
		if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		argv = append(argv, file)
	}
	argv = append(argv,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"), "--daemonize", "no")
	argv = append(argv, args...)
	cmd := exec.Command("redis-server", argv...)
	cmd.SysProcAttr = dieWithParent()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("redis-server: %v", err)
	}
	p := &redisProc{name: name, port: port, dir: dir, cmd: cmd, done: make(chan struct{})}
	if i := slices.Index(args, "--requirepass"); i >= 0 && i+1 < len(args) {
		p.password = args[i+1]
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if t.Failed() && !p.exited() {
			t.Logf("%s (%s) log:\n%s", p.name, p.addr(), p.logTail())
		}
		p.kill()
	})
	c := redis.NewClient(&redis.Options{Addr: p.addr(), Password: p.password, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if p.exited() {
			return nil, fmt.Errorf("%s exited at start: %s\n%s", name, strings.TrimSpace(stderr.String()), p.logTail())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return p, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer PING on %s within 10 s\n%s", name, p.addr(), p.logTail())
	return nil, nil
}

// freePort finds a loopback port nothing listens on (and, with bus, whose
// cluster bus port +10000 is free too). It is only a good guess: the
// callers retry when the port is taken by the time Redis binds it.
func freePort(t *testing.T, bus bool) int {
	t.Helper()
	free := func(port int) bool {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return false
		}
		ln.Close()
		return true
	}
	for range 200 {
		// Below the usual ephemeral range, so +10000 stays a valid port.
		port := 20000 + rand.IntN(10000)
		if free(port) && (!bus || free(port+10000)) {
			return port
		}
	}
	t.Fatal("no free loopback port found")
	return 0
}

// waitFor polls cond until it returns nil, failing the test with the last
// error after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func(ctx context.Context) error) {
	t.Helper()
	start := time.Now()
	var err error
	for time.Since(start) < timeout {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = cond(ctx)
		cancel()
		if err == nil {
			t.Logf("%s after %v", what, time.Since(start).Round(time.Millisecond))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waited %v for %s: %v", timeout, what, err)
}

// client is a plain client for one process, closed with the test.
func client(t *testing.T, p *redisProc) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: p.addr(), Password: p.password, DialTimeout: 500 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// infoField reads one "field:value" line of INFO section.
func infoField(ctx context.Context, c *redis.Client, section, field string) (string, error) {
	info, err := c.Info(ctx, section).Result()
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("INFO %s has no %s", section, field)
}
