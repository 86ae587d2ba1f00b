package store_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/install"
)

// TestInstallationUpdatesAreCompareAndSet: of two replicas rotating the
// same token at once, one wins; an uninstall is never undone by a
// rotation that read the record before it.
func TestInstallationUpdatesAreCompareAndSet(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	inst, _ := install.NewStore(s, bytes.Repeat([]byte{9}, 32))
	in := install.Installation{TeamID: "T0ACME", BotToken: "xoxe.xoxb-1", RefreshToken: "xoxe-1-r1", ExpiresAt: time.Now().Add(time.Hour), InstalledAt: time.Now().Add(-time.Hour)}
	if err := inst.Save(ctx, in); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { _, errs[i] = inst.Rotate(ctx, in, "xoxe.xoxb-2", "xoxe-1-r2", time.Now().Add(12*time.Hour)) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, install.ErrRotated):
			t.Fatal(err)
		}
	}
	if won != 1 {
		t.Fatalf("%d rotations won; want exactly 1", won)
	}
	key, _ := install.TeamKey("T0ACME")
	if out, err := inst.Remove(ctx, install.Removal{Key: key, At: time.Now(), Reason: "app_uninstalled"}); out != install.RemovedNow || err != nil {
		t.Fatalf("Remove = %v, %v", out, err)
	}
	if _, err := inst.Rotate(ctx, in, "xoxe.xoxb-3", "xoxe-1-r3", time.Now()); !errors.Is(err, install.ErrRotated) {
		t.Fatalf("rotate after removal: %v", err)
	}
	if sum, found, err := install.Describe(ctx, s, key); err != nil || !found || sum.HasToken || sum.Removed != "app_uninstalled" {
		t.Fatalf("Describe = %+v, %v, %v", sum, found, err)
	}
}
