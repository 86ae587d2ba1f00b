package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/caisbot/caisbot/install"
	"github.com/caisbot/caisbot/store"
)

var errNotConfirmed = errors.New("workspace: delete not confirmed")

// remove deletes every key of the workspace, after --yes; without it,
// it says what would go and changes nothing.
func remove(ctx context.Context, a Args, env Env, stdout io.Writer) error {
	d, err := env.Store.WorkspaceKeys(ctx, a.Team)
	if err != nil {
		return err
	}
	if len(d.Keys) == 0 && len(d.Members) == 0 {
		fmt.Fprintf(stdout, "nothing is stored for workspace %s; nothing was deleted\n", a.Team)
		env.Log.Info("workspace delete: nothing stored", "team", a.Team)
		return nil
	}
	k, _ := TeamKey(a.Team) // ParseArgs checked it
	live := false
	if s, found, err := install.Describe(ctx, env.Store, k); err != nil {
		return err
	} else if found && s.HasToken {
		live = true
	}
	what := describe(a.Team, d, live)
	if !a.Yes {
		fmt.Fprintf(stdout, "would delete %s.\nNothing was deleted. Firms may have to retain these records: export them first "+
			"(caisbot workspace export %s), then run again with --yes.\n", what, a.Team)
		return errNotConfirmed
	}
	n, err := env.Store.DeleteWorkspace(ctx, d)
	if err != nil {
		return fmt.Errorf("deleted %d keys, then: %w (run it again to finish)", n, err)
	}
	fmt.Fprintf(stdout, "deleted %s: %d keys.\n", what, n)
	if live {
		fmt.Fprintln(stdout, "caisbot was still installed there: it no longer acts in the workspace, but Slack lists the app until the workspace removes it.")
	}
	env.Log.Info("workspace deleted", "team", a.Team, "keys", n, "firms", firmNames(d), "installation_was_live", live)
	return nil
}

// describe says what d holds, in the operator's words.
func describe(team string, d store.WorkspaceData, live bool) string {
	firms := firmNames(d)
	var parts []string
	parts = append(parts, fmt.Sprintf("%d firm(s)%s with their progress, audit trails, Home viewers and reminder records", len(firms), list(firms)))
	roles := false
	for _, k := range d.Keys {
		switch {
		case strings.Contains(k, "{roles:") && !roles:
			roles = true // its state and its log: said once
			parts = append(parts, "the workspace's roles (its admins and principals) and their hash-chained roles log")
		case strings.Contains(k, "install:team:"):
			state := "without tokens (removed from Slack)"
			if live {
				state = "with its sealed token (still installed)"
			}
			parts = append(parts, "the installation record "+state)
		case strings.Contains(k, "install:grid:"):
			parts = append(parts, "its link to an Enterprise Grid organization (the org-wide installation itself is kept)")
		}
	}
	return "workspace " + team + ": " + strings.Join(parts, "; ")
}

func list(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (" + strings.Join(names, ", ") + ")"
}

// firmNames are the firms the index lists for the workspace.
func firmNames(d store.WorkspaceData) []string {
	out := make([]string, 0, len(d.Members))
	for _, m := range d.Members {
		out = append(out, strings.TrimPrefix(m, "slack/"))
	}
	return out
}
