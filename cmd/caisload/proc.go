package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTick is USER_HZ, the unit of /proc/<pid>/stat CPU times (100 on
// every Linux this runs on).
const clockTick = 10 * time.Millisecond

// procSample is one reading of a process's memory and CPU.
type procSample struct {
	At  time.Time
	RSS int64 // KiB
	CPU time.Duration
}

// readProc reads VmRSS from /proc/<pid>/status and utime+stime from
// /proc/<pid>/stat.
func readProc(pid int) (procSample, error) {
	s := procSample{At: time.Now()}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return s, err
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				s.RSS, _ = strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return s, err
	}
	// The command name may hold spaces; fields count from after ")".
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return s, errors.New("bad /proc stat")
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return s, errors.New("short /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // field 14, utime
	st, _ := strconv.ParseInt(f[12], 10, 64) // field 15, stime
	s.CPU = time.Duration(ut+st) * clockTick
	return s, nil
}

// selfSample reads this process through getrusage (more precise than
// /proc ticks).
func selfSample() procSample {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	s, _ := readProc(os.Getpid())
	s.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return s
}

// watched is a process sampled during the run.
type watched struct {
	name string
	pid  int // 0: this process
	mu   sync.Mutex
	all  []procSample
}

func (w *watched) sample() (procSample, error) {
	switch w.pid {
	case 0:
		return selfSample(), nil
	case machinePID:
		return machineSample()
	}
	return readProc(w.pid)
}

// machinePID marks the watcher of the whole machine's busy CPU time.
const machinePID = -1

// machineSample reads the busy CPU time of all CPUs from /proc/stat.
func machineSample() (procSample, error) {
	s := procSample{At: time.Now()}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return s, errors.New("bad /proc/stat")
	}
	var busy int64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	s.CPU = time.Duration(busy) * clockTick
	return s, nil
}

// watch samples every interval until ctx ends.
func (w *watched) watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if s, err := w.sample(); err == nil {
			w.mu.Lock()
			w.all = append(w.all, s)
			w.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// procFigures is a process's memory and CPU over one phase.
type procFigures struct {
	Name       string  `json:"name"`
	RSSStart   float64 `json:"rss_start_mib"`
	RSSMiddle  float64 `json:"rss_middle_mib"`
	RSSEnd     float64 `json:"rss_end_mib"`
	RSSMax     float64 `json:"rss_max_mib"`
	Cores      float64 `json:"cpu_cores"`        // average CPU cores busy
	CPUPerReq  float64 `json:"cpu_us_per_req"`   // CPU µs per measured request
	GrowthHalf float64 `json:"rss_growth_pct_2"` // RSS end vs middle, percent
}

// between returns the samples taken in [from, until].
func (w *watched) between(from, until time.Time) []procSample {
	w.mu.Lock()
	defer w.mu.Unlock()
	var in []procSample
	for _, s := range w.all {
		if !s.At.Before(from) && !s.At.After(until) {
			in = append(in, s)
		}
	}
	return in
}

// child is a process this run started: the bot or the bare server.
type child struct {
	name string
	cmd  *exec.Cmd
	addr string
	log  string
	done chan struct{}
	err  error
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// stop sends SIGTERM and waits for a clean exit.
func (c *child) stop(grace time.Duration) error {
	select {
	case <-c.done:
		return fmt.Errorf("%s had already exited: %v", c.name, c.err)
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		return c.err
	case <-time.After(grace):
		_ = c.cmd.Process.Kill()
		<-c.done
		return fmt.Errorf("%s did not exit within %s of SIGTERM; killed", c.name, grace)
	}
}

func startChild(name string, cmd *exec.Cmd, logPath string) (*child, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = lf, lf
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		lf.Close()
		close(c.done)
	}()
	return c, nil
}

// waitReady polls url until it answers 200, the child exits, or timeout.
func (c *child) waitReady(url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-c.done:
			return fmt.Errorf("%s exited during start-up (%v); log %s:\n%s", c.name, c.err, c.log, tail(c.log, 20))
		default:
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready at %s after %s; log %s:\n%s", c.name, url, timeout, c.log, tail(c.log, 20))
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// freeAddr finds a free loopback port for a child to listen on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// moduleRoot is the directory of the go.mod this command belongs to.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the caisbot module: run from the repository, or pass -bot")
	}
	return filepath.Dir(mod), nil
}

// buildBot compiles cmd/caisbot into dir.
func buildBot(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "caisbot")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/caisbot")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/caisbot: %v\n%s", err, out)
	}
	return bin, nil
}

// childEnv is this process's environment without any caisbot setting,
// plus env.
func childEnv(env ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SLACK_") || strings.HasPrefix(k, "CAIS_") || strings.HasPrefix(k, "REDIS_") || strings.HasPrefix(k, "MICROSOFT_") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, env...)
}

// logTally is what a bot's log says went wrong.
type logTally struct {
	warn, errs int
	timeouts   int      // errors that are a call to Slack timing out
	first      []string // the first errors, those that are not such timeouts first
}

// slackCallFailed are the messages of a failed Slack call: a background
// send's ("… failed" with its call) and the calls made in the request.
var slackCallFailed = []string{`"call":`, `"msg":"views.open failed"`, `"msg":"views.publish failed"`, `"msg":"chat.postEphemeral failed"`}

// slackTimeout reports whether an error line is a Slack call that timed
// out, as every call does while Slack hangs (not a request that ran out
// of its budget, which is a failed click).
func slackTimeout(line string) bool {
	if !strings.Contains(line, "context deadline exceeded") {
		return false
	}
	for _, m := range slackCallFailed {
		if strings.Contains(line, m) {
			return true
		}
	}
	return false
}

// logCounts counts warning and error lines in a JSON (or text) slog log.
func logCounts(path string) logTally {
	var t logTally
	f, err := os.Open(path)
	if err != nil {
		return t
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var timeouts []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, "level=ERROR"):
			t.errs++
			if slackTimeout(line) {
				t.timeouts++
				if len(timeouts) < 5 {
					timeouts = append(timeouts, line)
				}
			} else if len(t.first) < 5 {
				t.first = append(t.first, line)
			}
		case strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, "level=WARN"):
			t.warn++
		}
	}
	t.first = append(t.first, timeouts[:min(len(timeouts), 5-len(t.first))]...)
	return t
}
