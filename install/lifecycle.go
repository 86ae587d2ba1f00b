package install

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// A workspace that removes caisbot (Slack's app_uninstalled, or its bot
// token revoked) keeps its record — who installed it, when, the scopes —
// with its tokens gone and the time and reason of the removal; a
// reinstall replaces the record. Every change to a stored record is a
// compare-and-set, so an uninstall and a token refresh on another replica
// cannot undo each other (a refresh never brings a removed token back).

// Removal is Slack's word that a workspace took caisbot away.
type Removal struct {
	Key Key
	// At is when Slack says it happened: a record installed after it (a
	// reinstall the late event overtook) stands.
	At     time.Time
	Reason string
	// Revoked is a tokens_revoked event; Bots are the bot users whose
	// tokens it revoked, and the installation's bot must be one of them
	// (user tokens revoked alone change nothing: caisbot keeps none).
	Revoked bool
	Bots    []string
}

// Outcome is what Remove did.
type Outcome int

// Remove's outcomes.
const (
	NoRecord       Outcome = iota // no installation there: nothing changed
	RemovedNow                    // the tokens were removed now
	AlreadyRemoved                // the record was already without tokens
	Kept                          // a later install, or another bot's token: nothing changed
)

var outcomes = [...]string{"no_record", "removed", "already_removed", "kept"}

func (o Outcome) String() string { return outcomes[o] }

// swapTries bounds compare-and-set retries against concurrent writers.
const swapTries = 5

var errBusy = errors.New("install: the record kept changing under a concurrent writer; try again")

// Remove drops the tokens of the installation rm names, keeping the rest
// of its record.
func (st *Store) Remove(ctx context.Context, rm Removal) (Outcome, error) {
	for range swapTries {
		old, found, err := st.b.GetInstallation(ctx, rm.Key.String())
		if err != nil || !found {
			return NoRecord, err
		}
		var r record
		if err := json.Unmarshal(old, &r); err != nil || r.V != 1 {
			return NoRecord, fmt.Errorf("install: the record of %s is not readable: %v", rm.Key, err)
		}
		switch {
		case !r.RemovedAt.IsZero():
			return AlreadyRemoved, nil
		case rm.At.Before(r.InstalledAt.Truncate(time.Second)): // Slack's event times are whole seconds
			return Kept, nil
		case rm.Revoked && !slices.Contains(rm.Bots, r.BotUserID):
			return Kept, nil
		}
		r.BotToken, r.RefreshToken, r.ExpiresAt = nil, nil, time.Time{}
		r.RemovedAt, r.Removed = rm.At.UTC(), rm.Reason
		b, err := json.Marshal(r)
		if err != nil {
			return NoRecord, err
		}
		swapped, err := st.b.SwapInstallation(ctx, rm.Key.String(), old, b)
		if err != nil || swapped {
			return RemovedNow, err
		}
	}
	return NoRecord, errBusy
}

// ErrRotated is returned by Rotate when the record no longer holds the
// refresh token the caller used: another replica refreshed it first, or
// the workspace removed caisbot.
var ErrRotated = errors.New("install: the installation's tokens changed meanwhile")

// Rotate stores the tokens a refresh of prev returned, if the record
// still holds prev's refresh token; the rest of the record is kept.
func (st *Store) Rotate(ctx context.Context, prev Installation, bot, refresh Token, expires time.Time) (Installation, error) {
	k, err := prev.Key()
	if err != nil {
		return Installation{}, err
	}
	for range swapTries {
		old, found, err := st.b.GetInstallation(ctx, k.String())
		if err != nil {
			return Installation{}, err
		}
		if !found {
			return Installation{}, ErrNotInstalled
		}
		cur, err := st.decode(k, old)
		switch {
		case errors.Is(err, ErrNotInstalled):
			return Installation{}, ErrRotated // removed meanwhile: the new token is dropped
		case err != nil:
			return Installation{}, err
		case cur.RefreshToken != prev.RefreshToken:
			return Installation{}, ErrRotated
		}
		cur.BotToken, cur.RefreshToken, cur.ExpiresAt = bot, refresh, expires.UTC()
		b, err := st.encode(k, cur)
		if err != nil {
			return Installation{}, err
		}
		swapped, err := st.b.SwapInstallation(ctx, k.String(), old, b)
		if err != nil || swapped {
			return cur, err
		}
	}
	return Installation{}, errBusy
}

// Summary is an installation's record without its tokens: what an
// operator's export of the workspace shows.
type Summary struct {
	Key            string    `json:"key"`
	TeamID         string    `json:"team_id,omitempty"`
	TeamName       string    `json:"team_name,omitempty"`
	EnterpriseID   string    `json:"enterprise_id,omitempty"`
	EnterpriseName string    `json:"enterprise_name,omitempty"`
	OrgWide        bool      `json:"org_wide"`
	AppID          string    `json:"app_id,omitempty"`
	BotUserID      string    `json:"bot_user_id,omitempty"`
	Scopes         []string  `json:"scopes,omitempty"`
	InstallerID    string    `json:"installer_id,omitempty"`
	InstalledAt    time.Time `json:"installed_at"`
	// HasToken says whether a bot token is stored (sealed); Rotating,
	// whether Slack rotates it, and TokenExpiresAt when it expires.
	HasToken       bool      `json:"has_token"`
	Rotating       bool      `json:"token_rotation"`
	TokenExpiresAt time.Time `json:"token_expires_at,omitzero"`
	RemovedAt      time.Time `json:"removed_at,omitzero"`
	Removed        string    `json:"removed_reason,omitempty"`
}

// Describe reads the record under k without opening its tokens (no key
// is needed); found is false when there is none.
func Describe(ctx context.Context, b Backend, k Key) (s Summary, found bool, err error) {
	raw, found, err := b.GetInstallation(ctx, k.String())
	if err != nil || !found {
		return Summary{}, false, err
	}
	var r record
	if err := json.Unmarshal(raw, &r); err != nil || r.V != 1 {
		return Summary{}, false, fmt.Errorf("install: the record of %s is not readable: %v", k, err)
	}
	return Summary{Key: k.String(), TeamID: r.TeamID, TeamName: r.TeamName, EnterpriseID: r.EnterpriseID,
		EnterpriseName: r.EnterpriseName, OrgWide: r.Enterprise, AppID: r.AppID, BotUserID: r.BotUserID,
		Scopes: r.Scopes, InstallerID: r.InstallerID, InstalledAt: r.InstalledAt, HasToken: len(r.BotToken) > 0,
		Rotating: len(r.RefreshToken) > 0, TokenExpiresAt: r.ExpiresAt, RemovedAt: r.RemovedAt, Removed: r.Removed}, true, nil
}

// LinkedEnterprise is the organization whose org-wide install served a
// request from workspace team (the link Find leaves); found is false for
// a workspace never served that way.
func LinkedEnterprise(ctx context.Context, b Backend, team string) (enterprise string, found bool, err error) {
	raw, found, err := b.GetInstallation(ctx, LinkKey(team))
	return string(raw), found, err
}

// LinkKey is the backend key of workspace team's link to its organization.
func LinkKey(team string) string { return linkKey(team) }
