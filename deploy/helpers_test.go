package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// root is the repository, one level up from this package.
const root = ".."

func readFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// doc is one YAML document of a file, kept as a node so checks can look
// at quoting and line numbers as well as decode it.
type doc struct {
	file string
	node *yaml.Node
}

func (d doc) where() string { return fmt.Sprintf("%s:%d", d.file, d.node.Line) }

func (d doc) decode(t *testing.T, v any) {
	t.Helper()
	if err := d.node.Decode(v); err != nil {
		t.Fatalf("%s: %v", d.where(), err)
	}
}

// readDocs parses every document of a (multi-document) YAML file.
func readDocs(t *testing.T, rel string) []doc {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(readFile(t, rel)))
	var docs []doc
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
			t.Fatalf("%s:%d: a document that is not a mapping", rel, n.Line)
		}
		docs = append(docs, doc{file: rel, node: &n})
	}
}

// yaml11Bools are plain scalars that YAML 1.1 parsers (kubectl's among
// them) read as booleans where a string was meant: `--appendonly yes`.
var yaml11Bools = regexp.MustCompile(`^(?i:y|n|yes|no|on|off)$`)

// checkNoYAML11Bools fails on unquoted yes/no/on/off anywhere in n.
func checkNoYAML11Bools(t *testing.T, file string, n *yaml.Node) {
	t.Helper()
	if n.Kind == yaml.ScalarNode && n.Style == 0 && yaml11Bools.MatchString(n.Value) {
		t.Errorf("%s:%d: unquoted %q is a boolean to YAML 1.1 parsers such as kubectl's; quote it", file, n.Line, n.Value)
	}
	for _, c := range n.Content {
		checkNoYAML11Bools(t, file, c)
	}
}

// checkStringValues fails unless every value of the mapping at path is a
// string (ConfigMap data, Secret stringData, environment lists).
func checkStringValues(t *testing.T, d doc, path ...string) {
	t.Helper()
	n := lookup(d.node.Content[0], path...)
	if n == nil {
		return
	}
	for i := 1; i < len(n.Content); i += 2 {
		if v := n.Content[i]; v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
			t.Errorf("%s:%d: %s is %s, not a string; quote it", d.file, v.Line, n.Content[i-1].Value, v.Tag)
		}
	}
}

// lookup follows mapping keys from n; nil when a key is missing.
func lookup(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// setting is one environment variable the bot reads.
type setting struct {
	name       string
	hasDefault bool
}

// settings lists the variables caisbot reads (internal/app), from the envconfig tags
// of its source, so that a manifest cannot set a misspelt variable that
// the bot would silently ignore.
func settings(t *testing.T) map[string]setting {
	t.Helper()
	dir := filepath.Join(root, "internal", "app")
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]setting{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			field, ok := n.(*ast.Field)
			if !ok || field.Tag == nil {
				return true
			}
			raw, err := strconv.Unquote(field.Tag.Value)
			if err != nil {
				return true
			}
			tag := reflect.StructTag(raw)
			if name := tag.Get("envconfig"); name != "" {
				_, def := tag.Lookup("default")
				out[name] = setting{name: name, hasDefault: def}
			}
			return true
		})
	}
	if _, ok := out["CAIS_LISTEN_ADDR"]; !ok {
		t.Fatalf("found no envconfig settings in %s (found %v)", dir, out)
	}
	return out
}

// checkEnv checks variables a deployment file sets: each must be one the
// bot reads, and a variable with a default must not be set empty (the
// bot would take the empty value, not the default).
func checkEnv(t *testing.T, where string, env map[string]string) {
	t.Helper()
	known := settings(t)
	for k, v := range env {
		s, ok := known[k]
		switch {
		case !ok:
			t.Errorf("%s: %s is not a setting caisbot reads (internal/app envconfig tags)", where, k)
		case s.hasDefault && strings.TrimSpace(v) == "":
			t.Errorf("%s: %s is set empty, which overrides its default; leave it out instead", where, k)
		}
	}
}

// listenPort is the port of a CAIS_LISTEN_ADDR value such as ":3000".
func listenPort(t *testing.T, addr string) int {
	t.Helper()
	i := strings.LastIndex(addr, ":")
	p, err := strconv.Atoi(addr[i+1:])
	if i < 0 || err != nil {
		t.Fatalf("CAIS_LISTEN_ADDR %q has no port", addr)
	}
	return p
}

// parseEnvFile reads KEY=value lines, as docker compose's env_file does
// for the simple unquoted values the example uses.
func parseEnvFile(t *testing.T, rel string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for i, line := range strings.Split(string(readFile(t, rel)), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("%s:%d: not KEY=value", rel, i+1)
			continue
		}
		env[strings.TrimSpace(k)] = v
	}
	return env
}
