package dialogs

import (
	"strconv"
	"strings"
	"testing"
)

// The roadmap before refs is the text commit 1280205 embedded, byte for
// byte: its hash is pinned so that nobody "fixes" the old file.
func TestRoadmapBeforeRefsIsTheOldBuildsText(t *testing.T) {
	const sum1280205 = "683263cdd48c0b5c0064c63ea1038455614cc4636f2ddb8b187bfb7da9de95bc"
	r, text := RoadmapBeforeRefs()
	if r.SHA256() != sum1280205 {
		t.Fatalf("roadmap-before-refs.yaml has SHA-256 %s, not that of the text 1280205 embedded (%s)", r.SHA256(), sum1280205)
	}
	if len(text) == 0 || r.Version != "" {
		t.Fatalf("the old text named a version (%q) or is empty", r.Version)
	}
}

// A trail the previous build wrote (entries naming no roadmap), continued
// by this build, verifies; verify says the old entries were replayed
// against the roadmap that build embedded and the new ones against the
// running roadmap.
func TestVerifyReplaysOldEntriesAgainstTheOldRoadmap(t *testing.T) {
	s, m := newService(t)
	loadOld6A(t, s, m, "done6a")
	old := int64(len(m.entries["F1"]))
	card := command(t, s, "U1", "")
	if card.Actions == nil {
		t.Fatalf("no card to continue on: %s", body(card))
	}
	press(t, s, card, card.Actions[0].Label, "U1", "")
	r := command(t, s, "U1", "verify")
	text := body(r)
	before, _ := RoadmapBeforeRefs()
	cur := s.Flow.Roadmap
	for _, want := range []string{
		"✅",
		"entries 1–" + strconv.FormatInt(old, 10) + " against the roadmap caisbot embedded before entries named one (SHA-256 `" + before.SHA256()[:12],
		"entry " + strconv.FormatInt(old+1, 10) + " against roadmap " + cur.Version + " (SHA-256 `" + cur.SHA256()[:12],
	} {
		if !strings.Contains(r.Title+text, want) {
			t.Errorf("verify does not say %q:\n%s\n%s", want, r.Title, text)
		}
	}
}
