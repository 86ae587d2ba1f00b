package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
)

// A roadmap text is kept once, by its hash, and read back byte for byte;
// an edited copy is an integrity failure, a missing one is not found.
func TestKeepRoadmap(t *testing.T) {
	st, rdb, prefix := newStore(t)
	ctx := context.Background()
	r := dialogs.Default()
	for i, wantAdded := range []bool{true, false} {
		sum, added, err := st.KeepRoadmap(ctx, r.Text())
		if err != nil || sum != r.SHA256() || added != wantAdded {
			t.Fatalf("KeepRoadmap #%d = %s %v %v; want %s added=%v", i+1, sum, added, err, r.SHA256(), wantAdded)
		}
	}
	text, found, err := st.RoadmapText(ctx, r.SHA256())
	if err != nil || !found || string(text) != string(r.Text()) {
		t.Fatalf("RoadmapText = %d bytes, %v, %v; want the embedded roadmap", len(text), found, err)
	}
	if _, found, err := st.RoadmapText(ctx, "00"+r.SHA256()[2:]); found || err != nil {
		t.Errorf("an unknown hash: found=%v err=%v; want not found", found, err)
	}
	rdb.Set(ctx, prefix+"roadmap:"+r.SHA256(), append(r.Text(), '#'), 0)
	if _, _, err := st.RoadmapText(ctx, r.SHA256()); !errors.Is(err, dialogs.ErrIntegrity) {
		t.Errorf("an edited kept roadmap: %v; want an integrity failure", err)
	}
}
