// Package install is caisbot's record of the Slack workspaces (and
// Enterprise Grid organizations) that added it through "Add to Slack":
// who installed it, when, with which scopes, and the tokens it acts with.
// Tokens are sealed with AES-256-GCM before they leave this package, so
// the store only ever holds ciphertext; it knows no Redis and no Slack
// client (store keeps the bytes, bot/slackbot makes the calls).
package install

import (
	"errors"
	"time"
)

// ErrNotInstalled is returned for a workspace with no installation.
var ErrNotInstalled = errors.New("install: caisbot is not installed in this workspace")

// Token is a Slack token. It prints, logs and formats as "[redacted]" and
// refuses to be encoded, so a token cannot reach a log line, an error or
// Redis in clear by accident; Reveal is the one way to its value.
type Token string

const redacted = "[redacted]"

// Reveal returns the token itself, for the Slack client alone.
func (t Token) Reveal() string { return string(t) }

// String hides the token.
func (t Token) String() string { return redacted }

// GoString hides the token from %#v.
func (t Token) GoString() string { return redacted }

// MarshalJSON refuses: a token is only ever stored sealed.
func (t Token) MarshalJSON() ([]byte, error) {
	return nil, errors.New("install: a token is never encoded in clear")
}

// MarshalText refuses, as MarshalJSON does.
func (t Token) MarshalText() ([]byte, error) { return t.MarshalJSON() }

// Installation is one "Add to Slack": a workspace's, or for an org-wide
// install an Enterprise Grid organization's, which then serves every
// workspace of the organization.
type Installation struct {
	TeamID, TeamName             string // empty team for an org-wide install
	EnterpriseID, EnterpriseName string // empty outside Enterprise Grid
	IsEnterpriseInstall          bool
	AppID                        string
	BotToken                     Token
	BotUserID                    string
	Scopes                       []string
	InstallerID                  string // the Slack user who approved it
	InstalledAt                  time.Time
	// With token rotation on, Slack returns a refresh token and the bot
	// token's expiry; both are zero otherwise.
	RefreshToken Token
	ExpiresAt    time.Time
}

// Key is where an installation is kept: an org-wide install under its
// enterprise, any other under its team.
func (in Installation) Key() (Key, error) {
	if in.IsEnterpriseInstall {
		return EnterpriseKey(in.EnterpriseID)
	}
	return TeamKey(in.TeamID)
}
