package dialogs

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// refSep separates a roadmap's version from its SHA-256 in a RoadmapRef.
// The hex digest never contains it, so the last one splits the two.
const refSep = "@sha256:"

// remember keeps the text r was parsed from and its SHA-256.
func (r *Roadmap) remember(text []byte) {
	r.text = slices.Clone(text)
	sum := sha256.Sum256(text)
	r.sum = hex.EncodeToString(sum[:])
}

// SHA256 is the hex SHA-256 of the YAML text the roadmap was parsed from
// (the embedded file or CAIS_ROADMAP_FILE), byte for byte.
func (r *Roadmap) SHA256() string { return r.sum }

// Text is the YAML the roadmap was parsed from (a copy).
func (r *Roadmap) Text() []byte { return slices.Clone(r.text) }

// Ref is how an audit entry names this roadmap:
// "<version>@sha256:<hex SHA-256 of its YAML>"; "" for a roadmap not
// parsed from text.
func (r *Roadmap) Ref() string {
	if r.sum == "" {
		return ""
	}
	return r.Version + refSep + r.sum
}

// SplitRoadmapRef reads a Ref back into the roadmap's version and the
// hex SHA-256 of its text; ok is false for "" and anything else that is
// not a Ref.
func SplitRoadmapRef(ref string) (version, sum string, ok bool) {
	i := strings.LastIndex(ref, refSep)
	if i < 0 {
		return "", "", false
	}
	version, sum = ref[:i], ref[i+len(refSep):]
	if len(sum) != sha256.Size*2 || strings.Trim(sum, "0123456789abcdef") != "" {
		return "", "", false
	}
	return version, sum, true
}
