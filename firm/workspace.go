package firm

import "log/slog"

// Workspace is one workspace of a platform (a Slack team, a Teams
// tenant): what the roles of its admins and principals, and the bureau
// console's list of firms, are kept for.
type Workspace struct {
	Platform Platform
	ID       string // Slack team id, Teams tenant id
}

// Space is the workspace the firm belongs to.
func (f ID) Space() Workspace { return Workspace{Platform: f.Platform, ID: f.Workspace} }

// Has reports whether f is a firm of w.
func (w Workspace) Has(f ID) bool { return f.Platform == w.Platform && f.Workspace == w.ID }

// String names the workspace in logs and keys: "slack/T123".
func (w Workspace) String() string { return string(w.Platform) + "/" + w.ID }

// IsZero reports whether w names no workspace.
func (w Workspace) IsZero() bool { return w == Workspace{} }

// LogValue logs w as its String.
func (w Workspace) LogValue() slog.Value { return slog.StringValue(w.String()) }
