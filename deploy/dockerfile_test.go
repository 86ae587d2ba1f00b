package deploy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction with its continuation lines
// joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, …
	args string
	line int
}

// stage is one FROM and what follows it.
type stage struct {
	image, name string
	ins         []instruction
}

// parseDockerfile understands what ours uses: comments, parser
// directives, backslash continuations, "FROM image AS name".
func parseDockerfile(src string) ([]stage, error) {
	var stages []stage
	var cur strings.Builder
	start := 0
	flush := func() error {
		text := strings.TrimSpace(cur.String())
		cur.Reset()
		if text == "" {
			return nil
		}
		cmd, args, _ := strings.Cut(text, " ")
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: start}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			s := stage{image: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			} else if len(f) != 1 {
				return fmt.Errorf("line %d: FROM %s: want image [AS name]", start, in.args)
			}
			stages = append(stages, s)
			return nil
		}
		if len(stages) == 0 {
			return fmt.Errorf("line %d: %s before FROM", start, in.cmd)
		}
		s := &stages[len(stages)-1]
		s.ins = append(s.ins, in)
		return nil
	}
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			continue // comments, also between continuation lines
		}
		if cur.Len() == 0 {
			if trimmed == "" {
				continue
			}
			start = i + 1
		}
		if body, ok := strings.CutSuffix(trimmed, `\`); ok {
			cur.WriteString(strings.TrimSpace(body) + " ")
			continue
		}
		cur.WriteString(trimmed)
		if err := flush(); err != nil {
			return nil, err
		}
	}
	if cur.Len() > 0 {
		return nil, fmt.Errorf("line %d: continuation runs past the end", start)
	}
	return stages, nil
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.ins {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// env is the stage's ENV settings (KEY=value form).
func (s stage) env() map[string]string {
	env := map[string]string{}
	for _, in := range s.all("ENV") {
		for _, kv := range shellWords(in.args) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
	}
	return env
}

// shellWords splits a command line as sh would for the plain words and
// single or double quotes our RUN lines use.
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// goBuild is the build stage's `RUN [VAR=value…] go build …`.
type goBuild struct {
	env    map[string]string // the stage's ENV and the command's own assignments
	args   []string          // after "go build", -o and its value removed
	output string            // -o
	pkg    string
}

// has reports a boolean flag such as -trimpath.
func (b goBuild) has(name string) bool { return slices.Contains(b.args, name) }

// value is a flag's value, given as "-name value" or "-name=value".
func (b goBuild) value(name string) string {
	for i, a := range b.args {
		if a == name && i+1 < len(b.args) {
			return b.args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

type dockerfile struct {
	build, runtime stage
	gobuild        goBuild
}

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// loadDockerfile parses the root Dockerfile and finds its one go build.
func loadDockerfile(t *testing.T) dockerfile {
	t.Helper()
	stages, err := parseDockerfile(string(readFile(t, "Dockerfile")))
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages; want a build stage and a runtime stage", len(stages))
	}
	df := dockerfile{runtime: stages[len(stages)-1]}
	var builds []goBuild
	for _, s := range stages[:len(stages)-1] {
		for _, in := range s.all("RUN") {
			words := shellWords(in.args)
			env := s.env()
			for len(words) > 0 && assignment.MatchString(words[0]) {
				k, v, _ := strings.Cut(words[0], "=")
				env[k] = v
				words = words[1:]
			}
			if len(words) < 2 || words[0] != "go" || words[1] != "build" {
				continue
			}
			if slices.ContainsFunc(words, func(w string) bool { return strings.ContainsAny(w, "&|;$`") }) {
				t.Fatalf("Dockerfile:%d: keep the go build RUN a single plain command, so this test can run it: %s", in.line, in.args)
			}
			b := goBuild{env: env}
			rest := words[2:]
			for i := 0; i < len(rest); i++ {
				switch {
				case rest[i] == "-o" && i+1 < len(rest):
					b.output = rest[i+1]
					i++
				case i == len(rest)-1 && !strings.HasPrefix(rest[i], "-"):
					b.pkg = rest[i]
				default:
					b.args = append(b.args, rest[i])
				}
			}
			builds = append(builds, b)
			df.build = s
		}
	}
	if len(builds) != 1 {
		t.Fatalf("Dockerfile has %d `RUN go build` commands before the last stage; want exactly 1", len(builds))
	}
	df.gobuild = builds[0]
	return df
}

func TestDockerfileBuildStage(t *testing.T) {
	df := loadDockerfile(t)
	b := df.gobuild
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(readFile(t, "go.mod"))
	if goVersion == nil {
		t.Fatal("go.mod has no go directive")
	}
	if want := "golang:" + string(goVersion[1]); !strings.HasPrefix(df.build.image, want) {
		t.Errorf("build stage FROM %s; want %s (go.mod's Go version)", df.build.image, want)
	}
	if df.build.name == "" {
		t.Error("build stage has no name (FROM … AS build)")
	}
	if b.env["CGO_ENABLED"] != "0" {
		t.Errorf("go build runs with CGO_ENABLED=%q; want 0 for a static binary", b.env["CGO_ENABLED"])
	}
	if !b.has("-trimpath") {
		t.Error("go build lacks -trimpath")
	}
	if ld := b.value("-ldflags"); !slices.Contains(strings.Fields(ld), "-s") || !slices.Contains(strings.Fields(ld), "-w") {
		t.Errorf("go build -ldflags %q; want -s -w", ld)
	}
	if b.output == "" || b.pkg != "./cmd/caisbot" {
		t.Errorf("go build -o %q %q; want an output path and ./cmd/caisbot", b.output, b.pkg)
	}
	if w := df.build.all("WORKDIR"); len(w) == 0 {
		t.Error("build stage has no WORKDIR")
	}
}

func TestDockerfileRuntimeStage(t *testing.T) {
	df := loadDockerfile(t)
	rt := df.runtime
	if strings.HasPrefix(rt.image, "golang") {
		t.Errorf("runtime stage is %s; want a minimal image", rt.image)
	}

	// A non-root, numeric user: Kubernetes' runAsNonRoot can only verify
	// a numeric one.
	users := rt.all("USER")
	if len(users) == 0 {
		t.Fatal("runtime stage sets no USER")
	}
	uid := strings.Split(users[len(users)-1].args, ":")[0]
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("runtime USER %q; want a numeric non-root uid", users[len(users)-1].args)
	}

	// CA certificates, for Slack's HTTPS API and rediss://: distroless
	// bases have them; anything else must copy them in.
	distroless := strings.HasPrefix(rt.image, "gcr.io/distroless/")
	copiesCerts := slices.ContainsFunc(rt.all("COPY"), func(in instruction) bool {
		return strings.Contains(in.args, "ca-certificates")
	})
	if !distroless && !copiesCerts {
		t.Errorf("runtime image %s: no CA certificates (use a distroless base or COPY /etc/ssl/certs/ca-certificates.crt)", rt.image)
	}

	if e := rt.all("EXPOSE"); len(e) != 1 || e[0].args != "3000" {
		t.Errorf("runtime EXPOSE %v; want 3000 (CAIS_LISTEN_ADDR's default :3000)", e)
	}

	// The binary the build made is the one copied and run.
	var dest string
	for _, in := range rt.all("COPY") {
		f := shellWords(in.args)
		if len(f) == 3 && f[0] == "--from="+df.build.name && f[1] == df.gobuild.output {
			dest = f[2]
		}
	}
	if dest == "" {
		t.Fatalf("runtime stage does not COPY --from=%s %s", df.build.name, df.gobuild.output)
	}
	ep := rt.all("ENTRYPOINT")
	if len(ep) != 1 || ep[0].args != fmt.Sprintf("[%q]", dest) {
		t.Errorf("ENTRYPOINT %v; want exec form [%q]", ep, dest)
	}
}

func TestDockerfileParser(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\nFROM a:1 AS b\n# note\nRUN x \\\n  # inner\n  y \"z w\"\nFROM c\nUSER 1\n"
	st, err := parseDockerfile(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0].name != "b" || st[0].ins[0].args != `x y "z w"` || st[0].ins[0].line != 4 || st[1].image != "c" {
		t.Fatalf("parsed %+v", st)
	}
	if w := shellWords(`go build -ldflags "-s -w" -o '/o p' .`); !slices.Equal(w, []string{"go", "build", "-ldflags", "-s -w", "-o", "/o p", "."}) {
		t.Fatalf("shellWords = %q", w)
	}
}
