package install

import (
	"fmt"
	"regexp"
)

// kind says what a Key names, so a team and an enterprise with the same
// id can never share a record or a ciphertext.
type kind string

const (
	team       kind = "team"
	enterprise kind = "enterprise"
)

// Key names one installation: a team's, or an organization's.
type Key struct {
	kind kind
	id   string
}

// slackID is a Slack team or enterprise id (T0123ABC, E0123ABC): what
// Slack signed, checked again because it becomes a Redis key and the
// associated data of every token.
var slackID = regexp.MustCompile(`^[A-Z0-9]{2,32}$`)

// TeamKey names the installation of workspace id.
func TeamKey(id string) (Key, error) { return newKey(team, id) }

// EnterpriseKey names the org-wide installation of organization id.
func EnterpriseKey(id string) (Key, error) { return newKey(enterprise, id) }

func newKey(k kind, id string) (Key, error) {
	if !slackID.MatchString(id) {
		return Key{}, fmt.Errorf("install: %q is not a Slack %s id", id, k)
	}
	return Key{kind: k, id: id}, nil
}

// String is the key's stored form: "team:T0123" or "enterprise:E0123".
func (k Key) String() string { return string(k.kind) + ":" + k.id }

// ID is the team or enterprise id.
func (k Key) ID() string { return k.id }

// Enterprise reports whether k names an org-wide installation.
func (k Key) Enterprise() bool { return k.kind == enterprise }

// IsZero reports whether k names nothing.
func (k Key) IsZero() bool { return k == Key{} }
