package install_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/caisbot/caisbot/install"
)

func TestRemoveKeepsTheRecordWithoutTokens(t *testing.T) {
	installed := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	after, before := installed.Add(time.Hour), installed.Add(-time.Hour)
	team := mustKey(install.TeamKey("T0ACME"))
	tests := []struct {
		name string
		rm   install.Removal
		want install.Outcome
	}{
		{"uninstalled", install.Removal{Key: team, At: after, Reason: "app_uninstalled"}, install.RemovedNow},
		{"bot token revoked", install.Removal{Key: team, At: after, Revoked: true, Bots: []string{"UOTHER", "UBOT"}}, install.RemovedNow},
		{"only another bot's token", install.Removal{Key: team, At: after, Revoked: true, Bots: []string{"UOTHER"}}, install.Kept},
		{"only user tokens", install.Removal{Key: team, At: after, Revoked: true}, install.Kept},
		{"an event older than the install", install.Removal{Key: team, At: before}, install.Kept},
		{"the same second as the install", install.Removal{Key: team, At: installed.Add(400 * time.Millisecond)}, install.RemovedNow},
		{"another workspace", install.Removal{Key: mustKey(install.TeamKey("T0ACME2")), At: after}, install.NoRecord},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, b := newStore(t, key32)
			ctx := context.Background()
			in := teamInstall("T0ACME", "xoxb-acme-secret")
			in.InstalledAt, in.RefreshToken, in.ExpiresAt = installed, "xoxe-1-refresh", installed.Add(12*time.Hour)
			if err := s.Save(ctx, in); err != nil {
				t.Fatal(err)
			}
			before := bytes.Clone(b.m["team:T0ACME"])
			got, err := s.Remove(ctx, tc.rm)
			if err != nil || got != tc.want {
				t.Fatalf("Remove = %v, %v; want %v", got, err, tc.want)
			}
			_, ferr := s.Find(ctx, "T0ACME", "")
			sum, _, _ := install.Describe(ctx, b, team)
			if tc.want != install.RemovedNow {
				if !bytes.Equal(before, b.m["team:T0ACME"]) || ferr != nil {
					t.Fatalf("the record changed (find: %v)", ferr)
				}
				return
			}
			if !errors.Is(ferr, install.ErrNotInstalled) {
				t.Fatalf("Find after removal: %v, want ErrNotInstalled", ferr)
			}
			if sum.HasToken || sum.Rotating || sum.RemovedAt.IsZero() || sum.InstallerID != "U0ALICE" || sum.TeamName != "Acme Securities" {
				t.Fatalf("summary after removal = %+v; want no tokens, the removal time, the installer kept", sum)
			}
			if again, _ := s.Remove(ctx, tc.rm); again != install.AlreadyRemoved {
				t.Fatalf("second Remove = %v; want already_removed", again)
			}
			if err := s.Save(ctx, in); err != nil { // a reinstall
				t.Fatal(err)
			}
			if got, err := s.Find(ctx, "T0ACME", ""); err != nil || got.BotToken.Reveal() != "xoxb-acme-secret" {
				t.Fatalf("after reinstall: %v", err)
			}
		})
	}
}

func TestRotateIsCompareAndSet(t *testing.T) {
	s, _ := newStore(t, key32)
	ctx := context.Background()
	in := teamInstall("T0ACME", "xoxe.xoxb-old")
	in.RefreshToken, in.ExpiresAt = "xoxe-1-r1", in.InstalledAt.Add(12*time.Hour)
	if err := s.Save(ctx, in); err != nil {
		t.Fatal(err)
	}
	exp := in.InstalledAt.Add(24 * time.Hour)
	got, err := s.Rotate(ctx, in, "xoxe.xoxb-new", "xoxe-1-r2", exp)
	if err != nil || got.BotToken.Reveal() != "xoxe.xoxb-new" || !got.ExpiresAt.Equal(exp) || got.InstallerID != "U0ALICE" {
		t.Fatalf("Rotate = %+v, %v", got, err)
	}
	// A second replica that read the old record loses: its refresh token
	// is spent, and the record is not overwritten.
	if _, err := s.Rotate(ctx, in, "xoxe.xoxb-late", "xoxe-1-r3", exp); !errors.Is(err, install.ErrRotated) {
		t.Fatalf("stale Rotate: %v, want ErrRotated", err)
	}
	if f, _ := s.Find(ctx, "T0ACME", ""); f.BotToken.Reveal() != "xoxe.xoxb-new" || f.RefreshToken.Reveal() != "xoxe-1-r2" {
		t.Fatalf("record holds %s / %s after a stale rotate", f.BotToken.Reveal(), f.RefreshToken.Reveal())
	}
	// A refresh that lands after an uninstall does not bring a token back.
	if _, err := s.Remove(ctx, install.Removal{Key: mustKey(install.TeamKey("T0ACME")), At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rotate(ctx, got, "xoxe.xoxb-zombie", "xoxe-1-r4", exp); !errors.Is(err, install.ErrRotated) {
		t.Fatalf("Rotate after removal: %v, want ErrRotated", err)
	}
	if _, err := s.Find(ctx, "T0ACME", ""); !errors.Is(err, install.ErrNotInstalled) {
		t.Fatalf("Find after removal and a late rotate: %v", err)
	}
}

func mustKey(k install.Key, err error) install.Key {
	if err != nil {
		panic(err)
	}
	return k
}
