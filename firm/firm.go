// Package firm names a firm: the chat platform it is served on, the
// workspace there (a Slack team, a Teams tenant) and, when each channel is
// a firm of its own (channel scope, for service bureaus), the channel.
//
// Each platform adapter builds an ID from what its platform verified; the
// store turns it into the key part it has always used ("T123" or
// "T123:C456"), so nothing stored before the ID existed needs migrating.
// Only Legacy reads an id without being told its platform.
package firm

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Platform names a chat platform. Adapters define their own constant; the
// name is what the firms index records, so it never changes once used.
type Platform string

// The platforms caisbot serves today.
const (
	Slack Platform = "slack"
	Teams Platform = "teams"
)

// Valid reports whether p can be recorded: a short lower-case name,
// ^[a-z][a-z0-9]{0,15}$. Checked by hand, not by a regexp: every
// member of the firms index is checked on every announcement run.
func (p Platform) Valid() bool {
	if len(p) == 0 || len(p) > 16 || p[0] < 'a' || p[0] > 'z' {
		return false
	}
	for _, c := range []byte(p[1:]) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// Scope says what a firm is on every platform: a whole workspace, or one
// channel of it.
type Scope string

// Scopes.
const (
	WorkspaceScope Scope = "workspace"
	ChannelScope   Scope = "channel"
)

// ParseScope reads CAIS_SCOPE's value.
func ParseScope(s string) (Scope, error) {
	switch sc := Scope(s); sc {
	case WorkspaceScope, ChannelScope:
		return sc, nil
	}
	return "", fmt.Errorf("unknown scope %q: want workspace or channel", s)
}

// ErrIncomplete is returned when a request names no workspace, or no
// channel in channel scope.
var ErrIncomplete = errors.New("request names no workspace or channel")

// ID identifies one firm.
type ID struct {
	Platform  Platform
	Workspace string // Slack team id, Teams tenant id
	Channel   string // empty in workspace scope
}

// In builds the firm that a request from workspace and channel belongs to
// under scope s; channel is ignored in workspace scope.
func (s Scope) In(p Platform, workspace, channel string) (ID, error) {
	if workspace == "" || (s == ChannelScope && channel == "") {
		return ID{}, ErrIncomplete
	}
	if s != ChannelScope {
		channel = ""
	}
	return ID{Platform: p, Workspace: workspace, Channel: channel}, nil
}

// Key is the firm's part of its Redis keys. Slack and Teams firms keep
// the form every build has written (the workspace, then ":" and the
// channel in channel scope); their ids never look alike (a team id has no
// dash, a tenant id is a GUID). Any other platform's keys start with its
// name and "/", so they cannot meet a Slack or Teams firm's.
func (f ID) Key() string {
	if f.Platform == Slack || f.Platform == Teams {
		return f.local()
	}
	return f.String()
}

// AppendKey appends Key to b: the announcer hashes every reminder's
// firm key, several times per post, and this builds it without a string.
func (f ID) AppendKey(b []byte) []byte {
	if f.Platform != Slack && f.Platform != Teams {
		b = append(append(b, f.Platform...), '/')
	}
	b = append(b, f.Workspace...)
	if f.Channel != "" {
		b = append(append(b, ':'), f.Channel...)
	}
	return b
}

// local is the workspace, then ":" and the channel in channel scope.
func (f ID) local() string {
	if f.Channel == "" {
		return f.Workspace
	}
	return f.Workspace + ":" + f.Channel
}

// String names the firm in logs and in the firms index:
// "slack/T123:C456".
func (f ID) String() string { return string(f.Platform) + "/" + f.local() }

// Compare orders a and b as their Strings sort, without building them:
// the firms index is sorted on every announcement run, and a string per
// comparison was most of that sort's cost.
func Compare(a, b ID) int {
	pa, pb := a.parts(), b.parts()
	i, j, x, y := 0, 0, 0, 0 // piece and offset in each
	for {
		for i < len(pa) && x == len(pa[i]) {
			i, x = i+1, 0
		}
		for j < len(pb) && y == len(pb[j]) {
			j, y = j+1, 0
		}
		switch {
		case i == len(pa) && j == len(pb):
			return 0
		case i == len(pa):
			return -1
		case j == len(pb):
			return 1
		}
		n := min(len(pa[i])-x, len(pb[j])-y)
		if c := strings.Compare(pa[i][x:x+n], pb[j][y:y+n]); c != 0 {
			return c
		}
		x, y = x+n, y+n
	}
}

// parts are the pieces String joins.
func (f ID) parts() [5]string {
	sep := ""
	if f.Channel != "" {
		sep = ":"
	}
	return [5]string{string(f.Platform), "/", f.Workspace, sep, f.Channel}
}

// IsZero reports whether f names no firm.
func (f ID) IsZero() bool { return f == ID{} }

// Parse reads the part of String after the platform and "/" (for Slack
// and Teams, their Key) for a firm of platform p. A workspace id never
// contains ":", so the first one ends it.
func Parse(p Platform, key string) (ID, error) {
	if !p.Valid() {
		return ID{}, fmt.Errorf("firm: bad platform %q", p)
	}
	ws, ch, _ := strings.Cut(key, ":")
	if ws == "" {
		return ID{}, fmt.Errorf("firm: %q names no workspace", key)
	}
	return ID{Platform: p, Workspace: ws, Channel: ch}, nil
}

// Member is how the firms index records f from now on: the platform, "/"
// and the key.
func (f ID) Member() string { return f.String() }

// IsMember reports whether m is f's Member, without building it.
func (f ID) IsMember(m string) bool {
	n := len(f.Platform) + 1 + len(f.Workspace)
	if f.Channel != "" {
		n += 1 + len(f.Channel)
	}
	if len(m) != n || m[len(f.Platform)] != '/' || m[:len(f.Platform)] != string(f.Platform) {
		return false
	}
	local := m[len(f.Platform)+1:]
	if f.Channel == "" {
		return local == f.Workspace
	}
	return local[:len(f.Workspace)] == f.Workspace && local[len(f.Workspace)] == ':' && local[len(f.Workspace)+1:] == f.Channel
}

// ParseMember reads a firms-index member: a Member ("teams/<tenant>…"), or
// a bare key written before firms said their platform, read by Legacy.
func ParseMember(m string) (ID, error) {
	if p, key, ok := strings.Cut(m, "/"); ok && Platform(p).Valid() {
		return Parse(Platform(p), key)
	}
	return Legacy(m)
}

// tenant is the start of a Teams firm key: a tenant id (a GUID; the Agents
// Playground's are longer). Slack team ids ("T0123ABC") never contain a
// dash, and no key starts with a lower-case platform name and "/".
var tenant = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12,16}(:|$)`)

// Legacy reads a firm key stored before firms said their platform (the
// members of the firms index written by builds up to December 2026), when
// only Slack and Teams existed: a key that starts with a tenant GUID is a
// Teams firm, anything else a Slack one. It is the only code that decides
// a platform from the shape of an id; nothing new is written in this form.
func Legacy(key string) (ID, error) {
	if tenant.MatchString(key) {
		return Parse(Teams, key)
	}
	return Parse(Slack, key)
}

// LogValue logs f as its String.
func (f ID) LogValue() slog.Value { return slog.StringValue(f.String()) }
