package store

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrBadFirm is returned for a firm id that cannot be made into a key.
var ErrBadFirm = errors.New("store: bad firm id")

// maxFirmLen bounds key size; real ids ("T0123ABC:C0456DEF") are ~20 bytes.
const maxFirmLen = 200

// checkFirm refuses ids that would break the key layout: braces would move
// the Redis Cluster hash tag, and whitespace only ever comes from a bug.
func checkFirm(firm string) error {
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
	home     string // set of users whose App Home shows the firm
}

func (r *Redis) keys(firm string) (firmKeys, error) {
	if err := checkFirm(firm); err != nil {
		return firmKeys{}, err
	}
	base := r.prefix + "{" + firm + "}:"
	return firmKeys{progress: base + "progress", audit: base + "audit", home: base + "home"}, nil
}

// firmsKey is the set of every firm that has committed (or tried to
// commit) anything. It spans firms, so it has no hash tag.
func (r *Redis) firmsKey() string { return r.prefix + "firms" }
