package dialogs

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// keptStore is memStore that also keeps roadmap texts by hash, as
// store.Redis does.
type keptStore struct {
	*memStore
	texts map[string][]byte
	err   error
}

func (k *keptStore) RoadmapText(_ context.Context, sum string) ([]byte, bool, error) {
	t, ok := k.texts[sum]
	return t, ok, k.err
}

// earlierRoadmap is the embedded roadmap as an earlier version had it:
// "Registration submitted" led straight to Step 4 (Step 3 had its own
// answer), so a trail made against it replays differently against today's.
func earlierRoadmap(t *testing.T) *Roadmap {
	t.Helper()
	text := bytes.Replace(embedded, []byte(`        primary: true
        next: test_entitlements
        done: "the CAT CAIS Registration Form is submitted"
`), []byte(`        primary: true
        next: method
        done: "the CAT CAIS Registration Form is submitted"
      - id: entitlements
        label: "Entitlements next"
        next: test_entitlements
`), 1)
	text = append([]byte("version: \"2026.11-early\"\n"), bytes.Replace(text, []byte("\nversion:"), []byte("\n#version:"), 1)...)
	r, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// verify replays each entry against the roadmap it names, read back from
// the kept texts; one it cannot read back fails verify and is named.
func TestVerifyReplaysEachEntryAgainstTheRoadmapItNames(t *testing.T) {
	early := earlierRoadmap(t)
	for _, tc := range []struct {
		name  string
		kept  map[string][]byte
		err   error
		title string
		want  string
	}{
		{"the earlier roadmap is kept", map[string][]byte{early.SHA256(): early.Text()}, nil, "✅ Audit trail verified", "All 3 entries are intact"},
		{"it is not kept", nil, nil, "⚠️ Record failed its check", "Entry 1 names the roadmap “2026.11-early@sha256:" + early.SHA256() + "”, whose text is not kept in the database"},
		{"its kept text was edited", nil, Integrity("roadmap", "the kept roadmap text does not match its SHA-256 (it was edited)", nil), "⚠️ Audit trail broken", "does not match its SHA-256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			then, m := newService(t)
			ks := &keptStore{memStore: m, texts: tc.kept, err: tc.err}
			then.Flow.Roadmap, then.Store = early, ks
			walk(t, then, "Yes", "Registration submitted")
			command(t, then, admin, "deadline 4 2027-01-15")
			now, _ := newService(t)
			now.Store = ks
			r := command(t, now, "U1", "verify")
			if r.Title != tc.title || !strings.Contains(body(r), tc.want) {
				t.Errorf("verify = %q\n%s\nwant %q with %q", r.Title, body(r), tc.title, tc.want)
			}
		})
	}
	// Against today's roadmap alone, the same trail would not match.
	then, m := newService(t)
	then.Flow.Roadmap = early
	walk(t, then, "Yes", "Registration submitted")
	if diffs := newFlow().Differences(stored(m), Replay(Default(), trail(m))); len(diffs) == 0 {
		t.Error("the test roadmap replays like today's; it proves nothing")
	}
}

// Entries naming no roadmap (older builds) replay against the running
// one; a store that keeps no texts still verifies them.
func TestEntriesNamingNoRoadmapReplayAgainstTheRunningOne(t *testing.T) {
	s, m := newService(t)
	loadOld6A(t, s, m, "middle")
	ks := &keptStore{memStore: m, err: errors.New("must not be asked")}
	s.Store = ks
	if r := command(t, s, "U1", "verify"); !strings.Contains(r.Title, "verified") {
		t.Errorf("verify = %q %s", r.Title, body(r))
	}
}
