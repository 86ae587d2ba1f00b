package dialogs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestRoadmapRef(t *testing.T) {
	r := Default()
	sum := sha256.Sum256(embedded)
	want := r.Version + "@sha256:" + hex.EncodeToString(sum[:])
	if r.Version == "" || r.SHA256() != hex.EncodeToString(sum[:]) || r.Ref() != want {
		t.Fatalf("Ref = %q, want %q", r.Ref(), want)
	}
	if string(r.Text()) != string(embedded) {
		t.Error("Text is not the embedded YAML")
	}
	// A replacement file with one more byte is another roadmap.
	other, err := Parse(append(append([]byte(nil), embedded...), '\n'))
	if err != nil || other.Ref() == r.Ref() || other.Version != r.Version {
		t.Errorf("a changed text has Ref %q (%v); want a new hash under the same version", other.Ref(), err)
	}
	for _, tc := range []struct {
		ref, version, sum string
		ok                bool
	}{
		{want, r.Version, r.SHA256(), true},
		{"v@1@sha256:" + r.SHA256(), "v@1", r.SHA256(), true},
		{"@sha256:" + r.SHA256(), "", r.SHA256(), true},
		{"", "", "", false},
		{"2026.12", "", "", false},
		{"v@sha256:abc", "", "", false},
		{"v@sha256:" + strings.ToUpper(r.SHA256()), "", "", false},
	} {
		v, s, ok := SplitRoadmapRef(tc.ref)
		if v != tc.version || s != tc.sum || ok != tc.ok {
			t.Errorf("SplitRoadmapRef(%q) = %q %q %v; want %q %q %v", tc.ref, v, s, ok, tc.version, tc.sum, tc.ok)
		}
	}
}

// A change records the roadmap and the actor's display name, and both
// are covered by the hash: editing either, or removing both, breaks the
// chain at that entry.
func TestEntriesNameRoadmapAndActor(t *testing.T) {
	s, m := newService(t)
	ctx := context.Background()
	card := command(t, s, "U1", "")
	for _, a := range card.Actions {
		if a.Label == "Yes" {
			if _, err := s.Click(ctx, testFirm, Event{User: "U1", Name: "Ann Lee", Channel: "C1"}, a.Value); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.Command(ctx, testFirm, Event{User: admin, Name: "Bo “Admin” <b>", Channel: "C1"}, ParseCommand("deadline 2 2027-01-15")); err != nil {
		t.Fatal(err)
	}
	es := trail(m)
	if len(es) != 2 || es[0].Name != "Ann Lee" || es[1].Name != "Bo “Admin” <b>" || es[0].Roadmap != Default().Ref() || es[1].Roadmap != Default().Ref() {
		t.Fatalf("entries = %+v; want both naming the roadmap and their actor", es)
	}
	if r := command(t, s, "U1", "verify"); !strings.Contains(r.Title, "verified") {
		t.Fatalf("verify: %s", body(r))
	}
	head := stored(m).Head
	for _, tc := range []struct {
		name string
		edit func(e *Entry)
	}{
		{"the name changed", func(e *Entry) { e.Name = "Someone Else" }},
		{"the roadmap changed", func(e *Entry) { e.Roadmap = "old@sha256:" + strings.Repeat("0", 64) }},
		{"both removed (made to look older)", func(e *Entry) { e.Name, e.Roadmap = "", "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edited := append([]Entry(nil), es...)
			tc.edit(&edited[0])
			b := VerifyChain(edited, head)
			if b == nil || b.Seq != 1 || !strings.Contains(b.Reason, "edited") {
				t.Errorf("VerifyChain = %v; want entry 1 edited", b)
			}
		})
	}
}

// Entries from before this change (no roadmap, no name) keep verifying
// with the ten-field recipe, and new entries chain on after them.
func TestOldRecipeEntriesStillVerifyAndChainOn(t *testing.T) {
	s, m := newService(t)
	loadOld6A(t, s, m, "done6a")
	old := len(trail(m))
	command(t, s, admin, "deadline 6B 2027-03-01")
	es := trail(m)
	if len(es) != old+1 || es[old].Roadmap == "" || es[old-1].Roadmap != "" || es[old].Prev != es[old-1].Hash {
		t.Fatalf("the new entry %+v does not chain on the old %+v", es[old], es[old-1])
	}
	if r := command(t, s, "U1", "verify"); !strings.Contains(r.Title, "verified") {
		t.Fatalf("verify of a mixed trail: %s", body(r))
	}
}
