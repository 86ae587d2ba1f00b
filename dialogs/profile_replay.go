package dialogs

import (
	"fmt"
	"time"
)

// profile replays profileClick: the entry's detail is the profile, its
// user, time and version who set it, when, and the version it made.
func (rp *Replayed) profile(e Entry) {
	pr, ok := parseProfile(e.Detail)
	if !ok {
		rp.problem(e, "sets a firm profile whose record cannot be read (“"+Lit(e.Detail)+"”)")
		return
	}
	pr.User, pr.At, pr.Version = e.User, e.At.UTC(), e.Version
	rp.Progress.Profile = &pr
	rp.ProfileSeq = e.Seq
}

// diffProfile names a difference between the stored firm profile and the
// one the trail sets.
func diffProfile(stored Progress, rp Replayed) []string {
	g, w, ref := stored.Profile, rp.Progress.Profile, entryRef(rp.ProfileSeq)
	switch {
	case g == nil && w == nil:
		return nil
	case w == nil:
		return []string{"the stored progress names the firm " + profileLine(*g) + "; no entry sets a firm profile"}
	case g == nil:
		return []string{"the trail names the firm " + profileLine(*w) + ref + "; the stored progress has no firm profile"}
	case g.Name != w.Name || g.CRD != w.CRD || g.User != w.User || !g.At.Equal(w.At) || g.Version != w.Version:
		return []string{fmt.Sprintf("the stored progress names the firm %s; the trail says %s%s", profileLine(*g), profileLine(*w), ref)}
	}
	return nil
}

// profileLine is a profile with who set it and when, for verify.
func profileLine(pr Profile) string {
	return profileWords(chatWords, pr) + " (set by " + Mention(pr.User) + " at " + pr.At.UTC().Format(time.RFC3339) + ")"
}
