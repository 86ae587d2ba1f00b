package deploy

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
	Networks map[string]struct {
		Internal bool `yaml:"internal"`
	} `yaml:"networks"`
}

type composeService struct {
	Image string `yaml:"image"`
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Command     []string          `yaml:"command"`
	EnvFile     []envFile         `yaml:"env_file"`
	Environment map[string]string `yaml:"environment"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Volumes     []string `yaml:"volumes"`
	Ports       []string `yaml:"ports"`
	Networks    []string `yaml:"networks"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Restart         string   `yaml:"restart"`
	StopGracePeriod string   `yaml:"stop_grace_period"`
	ReadOnly        bool     `yaml:"read_only"`
	CapDrop         []string `yaml:"cap_drop"`
	SecurityOpt     []string `yaml:"security_opt"`
}

type envFile struct {
	Path     string `yaml:"path"`
	Required bool   `yaml:"required"`
}

const composePath = "deploy/docker-compose.yaml"

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	docs := readDocs(t, composePath)
	if len(docs) != 1 {
		t.Fatalf("%s: %d documents; want 1", composePath, len(docs))
	}
	checkNoYAML11Bools(t, composePath, docs[0].node)
	for _, svc := range []string{"bot", "redis"} {
		checkStringValues(t, docs[0], "services", svc, "environment")
	}
	var c composeFile
	docs[0].decode(t, &c)
	return c
}

func TestComposeRedis(t *testing.T) {
	c := loadCompose(t)
	r, ok := c.Services["redis"]
	if !ok {
		t.Fatal("no redis service")
	}
	if !strings.HasPrefix(r.Image, "redis:7") {
		t.Errorf("redis image %q; want redis:7", r.Image)
	}
	if len(r.Command) == 0 || r.Command[0] != "redis-server" {
		t.Errorf("redis command %q; want redis-server with flags", r.Command)
	}
	checkRedisPersistence(t, composePath+" redis", r.Command)
	var vol string
	for _, v := range r.Volumes {
		if name, dst, ok := strings.Cut(v, ":"); ok && dst == "/data" {
			vol = name
		}
	}
	if _, named := c.Volumes[vol]; vol == "" || !named {
		t.Errorf("redis /data is %q; want a named volume declared under volumes:", vol)
	}
	if r.Healthcheck == nil || !slices.Contains(r.Healthcheck.Test, "redis-cli") || !slices.Contains(r.Healthcheck.Test, "ping") {
		t.Errorf("redis healthcheck %+v; want redis-cli ping", r.Healthcheck)
	}
	if len(r.Ports) > 0 {
		t.Errorf("redis publishes ports %v; only the bot should reach it", r.Ports)
	}
	checkRestartAndStop(t, "redis", r)
}

func TestComposeBot(t *testing.T) {
	c := loadCompose(t)
	b, ok := c.Services["bot"]
	if !ok {
		t.Fatal("no bot service")
	}
	if b.Build == nil {
		t.Fatal("bot has no build section")
	}
	ctx := filepath.Join(root, "deploy", b.Build.Context)
	if _, err := os.Stat(filepath.Join(ctx, b.Build.Dockerfile)); err != nil {
		t.Errorf("bot build: %v", err)
	}
	if abs, _ := filepath.Abs(ctx); abs != mustAbs(t, root) {
		t.Errorf("bot build context %q is not the repository root", b.Build.Context)
	}
	if dep, ok := b.DependsOn["redis"]; !ok || dep.Condition != "service_healthy" {
		t.Errorf("bot depends_on %+v; want redis with condition service_healthy", b.DependsOn)
	}
	if len(b.EnvFile) != 1 || b.EnvFile[0].Path != ".env" || !b.EnvFile[0].Required {
		t.Errorf("bot env_file %+v; want the required deploy/.env", b.EnvFile)
	}
	checkEnv(t, composePath+" bot environment", b.Environment)
	if !strings.HasPrefix(b.Environment["REDIS_URL"], "redis://redis:") {
		t.Errorf("bot REDIS_URL %q; want the redis service", b.Environment["REDIS_URL"])
	}
	port := listenPort(t, b.Environment["CAIS_LISTEN_ADDR"])
	if len(b.Ports) != 1 || !strings.HasSuffix(b.Ports[0], ":"+strconv.Itoa(port)) {
		t.Errorf("bot ports %v; want one mapping to container port %d", b.Ports, port)
	}
	if !b.ReadOnly || !slices.Contains(b.CapDrop, "ALL") || !slices.Contains(b.SecurityOpt, "no-new-privileges:true") {
		t.Error("bot: want read_only, cap_drop ALL and no-new-privileges")
	}
	// Redis is only on an internal network the bot shares.
	r := c.Services["redis"]
	shared := false
	for _, n := range r.Networks {
		if slices.Contains(b.Networks, n) && c.Networks[n].Internal {
			shared = true
		}
	}
	if !shared {
		t.Errorf("redis networks %v, bot networks %v: want an internal network they share", r.Networks, b.Networks)
	}
	checkRestartAndStop(t, "bot", b)
}

// checkRestartAndStop wants a restart policy and a stop grace period
// longer than the bot's drain (Docker's default is 10 s).
func checkRestartAndStop(t *testing.T, name string, s composeService) {
	t.Helper()
	if s.Restart != "unless-stopped" && s.Restart != "always" {
		t.Errorf("%s restart %q; want unless-stopped or always", name, s.Restart)
	}
	d, err := time.ParseDuration(s.StopGracePeriod)
	if want := time.Duration(botDrain(t)+5) * time.Second; err != nil || d < want {
		t.Errorf("%s stop_grace_period %q; want at least %v (the bot drains for %d s)", name, s.StopGracePeriod, want, botDrain(t))
	}
}

// The example env file documents real settings; the real one is ignored.
func TestComposeEnvFiles(t *testing.T) {
	env := parseEnvFile(t, "deploy/.env.example")
	checkEnv(t, "deploy/.env.example", env)
	for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"} {
		if !placeholder.MatchString(env[k]) {
			t.Errorf("deploy/.env.example: %s = %q; want a REPLACE… placeholder", k, env[k])
		}
	}
	var ignore []string
	for _, line := range strings.Split(string(readFile(t, "deploy/.gitignore")), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			ignore = append(ignore, line)
		}
	}
	if !slices.Contains(ignore, ".env") || !slices.Contains(ignore, "!.env.example") {
		t.Errorf("deploy/.gitignore %q; want .env ignored and !.env.example kept", ignore)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
