package install

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Backend keeps sealed records, and the links from a Grid workspace to
// its organization, by key (store.Redis has it); it never sees a token in
// clear.
type Backend interface {
	PutInstallation(ctx context.Context, key string, record []byte) error
	GetInstallation(ctx context.Context, key string) (record []byte, found bool, err error)
	// SwapInstallation replaces the record under key with record only if
	// it is still old (compare-and-set); swapped is false otherwise.
	SwapInstallation(ctx context.Context, key string, old, record []byte) (swapped bool, err error)
}

// Store saves and finds installations, sealing their tokens.
type Store struct {
	b Backend
	s *Sealer
}

// NewStore returns a store over b sealing with the 32-byte key.
func NewStore(b Backend, key []byte) (*Store, error) {
	if b == nil {
		return nil, errors.New("install: NewStore needs a backend")
	}
	s, err := NewSealer(key)
	if err != nil {
		return nil, err
	}
	return &Store{b: b, s: s}, nil
}

// record is an installation as stored: everything in clear but the
// tokens, which are sealed to the record's key.
type record struct {
	V              int       `json:"v"`
	TeamID         string    `json:"team_id,omitempty"`
	TeamName       string    `json:"team_name,omitempty"`
	EnterpriseID   string    `json:"enterprise_id,omitempty"`
	EnterpriseName string    `json:"enterprise_name,omitempty"`
	Enterprise     bool      `json:"is_enterprise_install,omitempty"`
	AppID          string    `json:"app_id,omitempty"`
	BotToken       []byte    `json:"bot_token"`
	BotUserID      string    `json:"bot_user_id,omitempty"`
	Scopes         []string  `json:"scopes,omitempty"`
	InstallerID    string    `json:"installer_id,omitempty"`
	InstalledAt    time.Time `json:"installed_at"`
	RefreshToken   []byte    `json:"refresh_token,omitempty"`
	ExpiresAt      time.Time `json:"expires_at,omitzero"`
	// A workspace that removed caisbot keeps its record without tokens
	// (lifecycle.go): when, and why.
	RemovedAt time.Time `json:"removed_at,omitzero"`
	Removed   string    `json:"removed,omitempty"`
}

// Save keeps in under its key, replacing an earlier install there (a
// reinstall brings new scopes and a new token).
func (st *Store) Save(ctx context.Context, in Installation) error {
	k, err := in.Key()
	if err != nil {
		return err
	}
	if in.BotToken == "" {
		return fmt.Errorf("install: %s has no bot token", k)
	}
	b, err := st.encode(k, in)
	if err != nil {
		return err
	}
	return st.b.PutInstallation(ctx, k.String(), b)
}

// encode is in's record, its tokens sealed to k.
func (st *Store) encode(k Key, in Installation) ([]byte, error) {
	return json.Marshal(record{V: 1, TeamID: in.TeamID, TeamName: in.TeamName, EnterpriseID: in.EnterpriseID,
		EnterpriseName: in.EnterpriseName, Enterprise: in.IsEnterpriseInstall, AppID: in.AppID,
		BotToken: st.s.seal(k, "bot", in.BotToken), BotUserID: in.BotUserID, Scopes: in.Scopes,
		InstallerID: in.InstallerID, InstalledAt: in.InstalledAt.UTC(),
		RefreshToken: st.s.seal(k, "refresh", in.RefreshToken), ExpiresAt: in.ExpiresAt.UTC()})
}

// Find returns the installation that serves a request from team (and,
// in Enterprise Grid, enterprise): the team's own, else its
// organization's org-wide one. ErrNotInstalled if neither exists.
func (st *Store) Find(ctx context.Context, teamID, enterpriseID string) (Installation, error) {
	if teamID != "" {
		k, err := TeamKey(teamID)
		if err != nil {
			return Installation{}, err
		}
		if in, err := st.Get(ctx, k); !errors.Is(err, ErrNotInstalled) {
			return in, err
		}
	}
	if enterpriseID == "" {
		// A call made for a firm outside a request (a reminder) knows
		// only the team: an org-wide install serves it through the link
		// its requests left.
		return st.linked(ctx, teamID)
	}
	k, err := EnterpriseKey(enterpriseID)
	if err != nil {
		return Installation{}, err
	}
	in, err := st.Get(ctx, k)
	if err == nil && teamID != "" {
		err = st.b.PutInstallation(ctx, linkKey(teamID), []byte(enterpriseID))
	}
	return in, err
}

// linkKey is where a workspace of an Enterprise Grid organization notes
// which organization's org-wide install serves it (the id, in clear).
func linkKey(teamID string) string { return "grid:" + teamID }

func (st *Store) linked(ctx context.Context, teamID string) (Installation, error) {
	if teamID == "" {
		return Installation{}, ErrNotInstalled
	}
	ent, found, err := st.b.GetInstallation(ctx, linkKey(teamID))
	switch {
	case err != nil:
		return Installation{}, err
	case !found:
		return Installation{}, ErrNotInstalled
	}
	k, err := EnterpriseKey(string(ent))
	if err != nil {
		return Installation{}, err
	}
	return st.Get(ctx, k)
}

// Get returns the installation kept under k.
func (st *Store) Get(ctx context.Context, k Key) (Installation, error) {
	b, found, err := st.b.GetInstallation(ctx, k.String())
	if err != nil {
		return Installation{}, err
	}
	if !found {
		return Installation{}, ErrNotInstalled
	}
	return st.decode(k, b)
}

// decode opens a record with the key it was found under as associated
// data: a record copied under another team's key does not open.
func (st *Store) decode(k Key, b []byte) (Installation, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil || r.V != 1 {
		return Installation{}, fmt.Errorf("install: the record of %s is not readable (format %d): %v", k, r.V, err)
	}
	if !r.RemovedAt.IsZero() {
		return Installation{}, ErrNotInstalled // removed: the record stays, its tokens are gone
	}
	bot, err := st.s.open(k, "bot", r.BotToken)
	if err != nil {
		return Installation{}, fmt.Errorf("%s: %w", k, err)
	}
	refresh, err := st.s.open(k, "refresh", r.RefreshToken)
	if err != nil {
		return Installation{}, fmt.Errorf("%s: %w", k, err)
	}
	in := Installation{TeamID: r.TeamID, TeamName: r.TeamName, EnterpriseID: r.EnterpriseID, EnterpriseName: r.EnterpriseName,
		IsEnterpriseInstall: r.Enterprise, AppID: r.AppID, BotToken: bot, BotUserID: r.BotUserID, Scopes: r.Scopes,
		InstallerID: r.InstallerID, InstalledAt: r.InstalledAt, RefreshToken: refresh, ExpiresAt: r.ExpiresAt}
	if got, err := in.Key(); err != nil || got != k || bot == "" {
		return Installation{}, fmt.Errorf("install: the record under %s names another installation or has no token", k)
	}
	return in, nil
}
