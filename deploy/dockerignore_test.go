package deploy

import (
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// ignoreRule is one .dockerignore line.
type ignoreRule struct {
	parts     []string // pattern split on "/"; "**" spans directories
	exception bool     // "!pattern" re-includes
}

// dockerignore is the build context filter, with Docker's semantics for
// what our file uses: patterns are relative to the context root, "**"
// matches any number of directories, a pattern that matches a directory
// excludes everything in it, "!" re-includes, and the last match wins.
type dockerignore []ignoreRule

func parseDockerignore(src string) dockerignore {
	var rules dockerignore
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var r ignoreRule
		if rest, ok := strings.CutPrefix(line, "!"); ok {
			r.exception, line = true, strings.TrimSpace(rest)
		}
		line = strings.TrimPrefix(path.Clean("/"+line), "/")
		r.parts = strings.Split(line, "/")
		rules = append(rules, r)
	}
	return rules
}

// excluded reports whether rel (slash-separated) stays out of the context.
func (d dockerignore) excluded(rel string) bool {
	segs := strings.Split(rel, "/")
	out := false
	for _, r := range d {
		// The rule applies if it matches rel or one of its parents.
		for n := 1; n <= len(segs); n++ {
			if matchParts(r.parts, segs[:n]) {
				out = !r.exception
				break
			}
		}
	}
	return out
}

func matchParts(pat, segs []string) bool {
	if len(pat) == 0 {
		return len(segs) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(segs); i++ {
			if matchParts(pat[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	ok, err := path.Match(pat[0], segs[0])
	return err == nil && ok && matchParts(pat[1:], segs[1:])
}

// buildContext copies the repository into dst as `docker build .` would
// send it: everything .dockerignore does not exclude.
func buildContext(t *testing.T, dst string) {
	t.Helper()
	ignore := parseDockerignore(string(readFile(t, ".dockerignore")))
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if ignore.excluded(rel) {
			if d.IsDir() && !ignore.hasExceptions() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, filepath.FromSlash(rel))
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			return copyFile(p, target)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("copying the build context: %v", err)
	}
}

func (d dockerignore) hasExceptions() bool {
	for _, r := range d {
		if r.exception {
			return true
		}
	}
	return false
}

func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Secrets and the repository's history must never reach the image
// builder; the sources must.
func TestDockerignore(t *testing.T) {
	ignore := parseDockerignore(string(readFile(t, ".dockerignore")))
	for _, p := range []string{".git/config", "deploy/.env", "deploy/kubernetes/secret.yaml", "x/prod.env", ".env"} {
		if !ignore.excluded(p) {
			t.Errorf(".dockerignore lets %s into the build context", p)
		}
	}
	for _, p := range []string{"go.mod", "go.sum", "cmd/caisbot/main.go", "dialogs/roadmap.yaml", "bot/playground/assets/index.html", "store/redis.go"} {
		if ignore.excluded(p) {
			t.Errorf(".dockerignore leaves out %s, which the build needs", p)
		}
	}
}

func TestDockerignoreMatcher(t *testing.T) {
	d := parseDockerignore("a\n**/*.env\n/b/c\n!b/c/keep\n*.md\n")
	tests := map[string]bool{
		"a": true, "a/x/y": true, "ab": false,
		"p.env": true, "q/r/p.env": true, "q/r/env": false,
		"b/c/x": true, "b/c/keep": false, "b/d": false,
		"README.md": true, "docs/x.md": false,
	}
	for p, want := range tests {
		if got := d.excluded(p); got != want {
			t.Errorf("excluded(%q) = %t; want %t", p, got, want)
		}
	}
}
