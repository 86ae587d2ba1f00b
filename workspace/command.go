package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Usage is the command's synopsis.
const Usage = `usage: caisbot workspace export <team> [--out FILE]
       caisbot workspace delete <team> --yes`

// Env is what the command runs with.
type Env struct {
	Store Store
	Log   *slog.Logger
	Now   func() time.Time
}

// Args is a parsed command line.
type Args struct {
	Op   string // "export" or "delete"
	Team string
	Out  string // export: the file ("" for <team>-export-<date>.json)
	Yes  bool   // delete: confirmed
}

var errUsage = errors.New(Usage)

// ParseArgs reads the words after "workspace". Flags may come before or
// after the team; each may be given once.
func ParseArgs(args []string) (Args, error) {
	var a Args
	var rest []string
	for i := 0; i < len(args); i++ {
		w := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
		switch {
		case !strings.HasPrefix(w, "-"):
			rest = append(rest, w)
		case name == "yes" && !hasValue && !a.Yes:
			a.Yes = true
		case name == "out" && a.Out == "":
			if !hasValue {
				if i+1 >= len(args) {
					return Args{}, fmt.Errorf("--out needs a file name\n%s", Usage)
				}
				i++
				value = args[i]
			}
			if value == "" {
				return Args{}, fmt.Errorf("--out needs a file name\n%s", Usage)
			}
			a.Out = value
		default:
			return Args{}, fmt.Errorf("unknown or repeated flag %q\n%s", w, Usage)
		}
	}
	if len(rest) != 2 || rest[0] != "export" && rest[0] != "delete" {
		return Args{}, errUsage
	}
	a.Op, a.Team = rest[0], rest[1]
	switch {
	case a.Op == "export" && a.Yes:
		return Args{}, fmt.Errorf("--yes is for delete\n%s", Usage)
	case a.Op == "delete" && a.Out != "":
		return Args{}, fmt.Errorf("--out is for export\n%s", Usage)
	}
	if _, err := TeamKey(a.Team); err != nil {
		return Args{}, err
	}
	return a, nil
}

// Command runs `caisbot workspace …` with args (the words after
// "workspace") and returns the exit code: 0 done, 1 failed, 2 refused
// (bad usage, or delete without --yes).
func Command(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	a, err := ParseArgs(args)
	if err != nil {
		fmt.Fprintln(stderr, "workspace:", err)
		return 2
	}
	if a.Op == "export" {
		err = export(ctx, a, env, stdout)
	} else {
		err = remove(ctx, a, env, stdout)
	}
	switch {
	case errors.Is(err, errNotConfirmed):
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "workspace:", err)
		env.Log.Error("workspace "+a.Op+" failed", "team", a.Team, "err", err)
		return 1
	}
	return 0
}

func export(ctx context.Context, a Args, env Env, stdout io.Writer) error {
	now := env.Now()
	x, err := Collect(ctx, env.Store, a.Team, now)
	if err != nil {
		return err
	}
	if len(x.Firms) == 0 && x.Installation == nil && x.Enterprise == nil && len(x.Roles.Log) == 0 {
		// A mistyped id must not pass for an export of nothing before a
		// delete of the real workspace.
		return fmt.Errorf("nothing is stored for workspace %s here (no firm, no roles log, no installation); check the id (the team id from Slack, e.g. T0123ABCD). No file was written", a.Team)
	}
	path := a.Out
	if path == "" {
		path = a.Team + "-export-" + now.UTC().Format(time.DateOnly) + ".json"
	}
	if err := writeNew(path, x); err != nil {
		return err
	}
	entries := 0
	for _, f := range x.Firms {
		entries += len(f.Audit)
	}
	fmt.Fprintf(stdout, "exported workspace %s to %s: %d firms, %d audit entries, %d roadmap texts, installation record %s (no tokens)\n",
		a.Team, path, len(x.Firms), entries, len(x.Roadmaps), present(x.Installation != nil))
	env.Log.Info("workspace exported", "team", a.Team, "file", path, "firms", len(x.Firms), "audit_entries", entries,
		"roadmaps", len(x.Roadmaps), "installation", x.Installation != nil)
	return nil
}

func present(b bool) string {
	if b {
		return "included"
	}
	return "none"
}

// writeNew writes x as indented JSON to a new file only its owner can
// read (it holds firms' records); an existing file is not overwritten.
func writeNew(path string, x Export) error {
	f, err := os.OpenFile(filepath.Clean(path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("cannot create the export file (it must not exist yet): %w", err)
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return err
	}
	return nil
}
