package deploy

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// No Docker engine runs in CI, so this test does what the Dockerfile's
// build stage does, with its own command: copy the build context as
// .dockerignore filters it, run the stage's `go build` line with the
// stage's environment, then start the binary as Kubernetes would
// (configmap.yaml's settings, Slack HTTP mode) and check that it serves
// /healthz and /readyz, guards /slack/events, and stops cleanly on SIGTERM.
func TestDockerBuildStageMakesAWorkingBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the release binary; skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the image is linux; the static-binary checks read ELF")
	}
	df := loadDockerfile(t)
	bin := buildAsDockerfile(t, df)
	checkStaticBinary(t, bin, df.gobuild)
	runLikeKubernetes(t, bin)
}

// buildAsDockerfile runs the build stage's go build in a copy of the
// build context and returns the binary.
func buildAsDockerfile(t *testing.T, df dockerfile) string {
	t.Helper()
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	buildContext(t, src)
	bin := filepath.Join(tmp, "out", "caisbot")
	goTool, err := exec.LookPath("go") // go test puts its own toolchain first on PATH
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"build"}, df.gobuild.args...)
	args = append(args, "-o", bin, df.gobuild.pkg)
	cmd := exec.Command(goTool, args...)
	cmd.Dir = src
	cmd.Env = os.Environ()
	for k, v := range df.gobuild.env {
		cmd.Env = append(cmd.Env, k+"="+v) // later entries win
	}
	// The image builder has no network once modules are downloaded.
	cmd.Env = append(cmd.Env, "GOFLAGS=-mod=readonly", "GOTOOLCHAIN=local")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s (as in the Dockerfile): %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return bin
}

// checkStaticBinary proves the flags took effect: no dynamic loader
// (runs on distroless/static), stripped, trimmed paths, no cgo.
func checkStaticBinary(t *testing.T, bin string, b goBuild) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("binary is dynamically linked (has PT_INTERP); it would not start on distroless/static")
		}
	}
	if f.Section(".symtab") != nil {
		t.Error("binary has a symbol table; -ldflags -s did not apply")
	}
	if f.Section(".debug_info") != nil || f.Section(".zdebug_info") != nil {
		t.Error("binary has DWARF; -ldflags -w did not apply")
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range info.Settings {
		got[s.Key] = s.Value
	}
	// (go records no -ldflags with -trimpath; the ELF checks cover them.)
	want := map[string]string{"CGO_ENABLED": "0", "-trimpath": "true"}
	if tags := b.value("-tags"); tags != "" {
		want["-tags"] = tags
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("binary built with %s=%q; want %q", k, got[k], v)
		}
	}
}

// runLikeKubernetes starts bin with the ConfigMap's settings, a Redis and
// a stand-in for Slack's Web API, on a free loopback port.
func runLikeKubernetes(t *testing.T, bin string) {
	t.Helper()
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://" + miniredis.RunT(t).Addr()
	}
	slackAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true,"user_id":"UBOT","team_id":"T1","bot_id":"B1"}`)
	}))
	t.Cleanup(slackAPI.Close)
	roadmap := filepath.Join(t.TempDir(), "roadmap.yaml")
	if err := os.WriteFile(roadmap, []byte(roadmapFromConfigMap(t)), 0o600); err != nil {
		t.Fatal(err)
	}

	env := []string{"PATH=" + os.Getenv("PATH")} // nothing else from this process
	for k, v := range configMapEnv(t) {
		env = append(env, k+"="+v)
	}
	env = append(env,
		"CAIS_ROADMAP_FILE="+roadmap,
		"CAIS_REDIS_PREFIX=test:dockerbuild:",
		"SLACK_BOT_TOKEN=xoxb-test",
		"SLACK_SIGNING_SECRET=test-signing-secret",
		"SLACK_API_URL="+slackAPI.URL+"/",
		"REDIS_URL="+redisURL,
	)

	var p *process
	var err error
	for range 3 { // a free port can be taken before the bot binds it
		if p, err = startBinary(t, bin, env); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(p.base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d; want 200\n%s", path, resp.StatusCode, p.log())
		}
	}
	resp, err := http.Post(p.base+"/slack/events", "application/x-www-form-urlencoded", strings.NewReader("command=%2Fcais-next"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned POST /slack/events = %d; want 401", resp.StatusCode)
	}
	p.stop(t)
	t.Logf("caisbot output:\n%s", p.log())
}

// process is the running binary.
type process struct {
	cmd    *exec.Cmd
	base   string
	output *syncBuffer
	done   chan error
}

// syncBuffer collects the process' output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
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

func (p *process) log() string { return p.output.String() }

// startBinary runs bin on a free loopback port and waits until /healthz
// answers. An error means the process exited first (port taken).
func startBinary(t *testing.T, bin string, env []string) (*process, error) {
	t.Helper()
	addr := freeAddr(t)
	out := &syncBuffer{}
	cmd := exec.Command(bin)
	cmd.Env = append(env, "CAIS_LISTEN_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, base: "http://" + addr, output: out, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			p.done <- err
			return nil, fmt.Errorf("caisbot exited before serving: %v\n%s", err, out.String())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("caisbot did not answer /healthz within 15 s\n%s", out.String())
	return nil, nil
}

// stop sends SIGTERM, as Docker and Kubernetes do, and expects a clean
// exit well inside the 40 s grace period.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Errorf("caisbot after SIGTERM: %v; want exit status 0\n%s", err, p.log())
		}
	case <-time.After(25 * time.Second):
		t.Fatalf("caisbot still running 25 s after SIGTERM\n%s", p.log())
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
