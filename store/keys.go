package store

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/caisbot/caisbot/firm"
)

// ErrBadFirm is returned for a firm id that cannot be made into a key.
var ErrBadFirm = errors.New("store: bad firm id")

// maxFirmLen bounds key size; real ids ("T0123ABC:C0456DEF") are ~20 bytes.
const maxFirmLen = 200

// checkFirm refuses firms that would break the key layout: braces would
// move the Redis Cluster hash tag, and whitespace only ever comes from a
// bug. It returns the firm's key part.
func checkFirm(f firm.ID) (string, error) {
	if !f.Platform.Valid() || strings.Contains(f.Workspace, ":") {
		return "", fmt.Errorf("%w: %q names no platform or a bad workspace", ErrBadFirm, f.String())
	}
	id := f.Key()
	return id, checkKeyPart(id)
}

// checkKeyPart refuses a string that would break the key layout.
func checkKeyPart(firm string) error {
	switch {
	case firm == "":
		return fmt.Errorf("%w: empty", ErrBadFirm)
	case len(firm) > maxFirmLen:
		return fmt.Errorf("%w: longer than %d bytes", ErrBadFirm, maxFirmLen)
	case strings.ContainsAny(firm, "{}"):
		return fmt.Errorf("%w: %q contains a brace", ErrBadFirm, firm)
	case strings.ContainsFunc(firm, unicode.IsSpace):
		return fmt.Errorf("%w: %q contains whitespace", ErrBadFirm, firm)
	}
	return nil
}

// firmKeys are one firm's keys. "{firm}" is a Redis Cluster hash tag, so
// both keys live in one slot and the commit script may touch them together.
type firmKeys struct {
	progress string // hash: v = version, p = JSON of dialogs.Progress
	audit    string // list of JSON dialogs.Entry, oldest first, never trimmed
	viewers  string // set of users keeping a live view of the firm open
}

func (r *Redis) keys(f firm.ID) (firmKeys, error) {
	id, err := checkFirm(f)
	if err != nil {
		return firmKeys{}, err
	}
	// One string holds all three (one allocation, not four, per call).
	base := len(r.prefix) + len(id) + 3
	all := r.prefix + "{" + id + "}:progress" + r.prefix + "{" + id + "}:audit" + r.prefix + "{" + id + "}:home"
	p, a := base+len("progress"), base+len("audit")
	return firmKeys{progress: all[:p], audit: all[p : p+a], viewers: all[p+a:]}, nil
}

// firmsKey is the set of every firm that has committed (or tried to
// commit) anything: firm.ID.Member() from now on, bare keys from builds
// before firms said their platform (firm.ParseMember reads both). It
// spans firms, so it has no hash tag.
func (r *Redis) firmsKey() string { return r.prefix + "firms" }
