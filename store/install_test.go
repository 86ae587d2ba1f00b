package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/install"
)

// TestInstallationsKeepNoTokenInClear installs a workspace and an
// organization, then reads every key the store wrote: no token, whole
// or in part, is there in clear.
func TestInstallationsKeepNoTokenInClear(t *testing.T) {
	s, c, prefix := newStore(t)
	ctx := context.Background()
	inst, err := install.NewStore(s, bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	tokens := []string{"xoxb-team-7f3a9c1d", "xoxe-1-refresh-55aa", "xoxb-grid-b0b0cafe"}
	team := install.Installation{TeamID: "T0ACME", TeamName: "Acme", BotToken: install.Token(tokens[0]), RefreshToken: install.Token(tokens[1]),
		ExpiresAt: time.Now().Add(12 * time.Hour), InstallerID: "U0ALICE", InstalledAt: time.Now()}
	org := install.Installation{EnterpriseID: "E0GRID", IsEnterpriseInstall: true, BotToken: install.Token(tokens[2]), InstallerID: "U0ORG"}
	for _, in := range []install.Installation{team, org} {
		if err := inst.Save(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutOAuthState(ctx, "st4te", []byte("cookie-hash"), time.Minute); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) != 3 {
		t.Fatalf("keys %v (%v), want two installations and a state", keys, err)
	}
	for _, k := range keys {
		v, err := c.Get(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range tokens {
			if strings.Contains(v, tok) || strings.Contains(v, tok[5:]) {
				t.Errorf("%s holds token %s in clear: %s", k, tok, v)
			}
		}
	}
	for team, want := range map[string]string{"T0ACME": tokens[0], "T0ANY": tokens[2]} {
		in, err := inst.Find(ctx, team, "E0GRID")
		if err != nil || in.BotToken.Reveal() != want {
			t.Errorf("Find(%s): %v, %v", team, in.BotToken.Reveal(), err)
		}
	}
}

// TestInstallationMovedInRedisDoesNotOpen copies one team's record over
// another's with Redis itself.
func TestInstallationMovedInRedisDoesNotOpen(t *testing.T) {
	s, c, prefix := newStore(t)
	ctx := context.Background()
	inst, _ := install.NewStore(s, bytes.Repeat([]byte{9}, 32))
	for _, team := range []string{"T0ACME", "T0EVIL"} {
		if err := inst.Save(ctx, install.Installation{TeamID: team, BotToken: install.Token("xoxb-" + team)}); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := c.Get(ctx, prefix+"install:team:T0ACME").Bytes()
	if err := c.Set(ctx, prefix+"install:team:T0EVIL", b, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if in, err := inst.Find(ctx, "T0EVIL", ""); !errors.Is(err, install.ErrSealed) {
		t.Fatalf("moved record: token %q, err %v; want ErrSealed", in.BotToken.Reveal(), err)
	}
}

func TestOAuthStateIsTakenOnce(t *testing.T) {
	s, c, prefix := newStore(t)
	ctx := context.Background()
	if err := s.PutOAuthState(ctx, "abc", []byte("v"), 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	if ttl := c.PTTL(ctx, prefix+"oauth:abc").Val(); ttl <= 9*time.Minute || ttl > 10*time.Minute {
		t.Errorf("state lives %v, want 10 minutes", ttl)
	}
	if err := s.PutOAuthState(ctx, "abc", []byte("w"), time.Minute); err == nil {
		t.Error("a state in use was handed out again")
	}
	tests := []struct {
		state string
		found bool
	}{
		{"abc", true}, {"abc", false}, {"never", false}, {"", false}, {"a b", false}, {"{x}", false}, {strings.Repeat("x", 500), false},
	}
	for _, tc := range tests {
		v, found, err := s.TakeOAuthState(ctx, tc.state)
		if err != nil || found != tc.found || (found && string(v) != "v") {
			t.Errorf("take %.20q: %q %v %v, want found %v", tc.state, v, found, err, tc.found)
		}
	}
}
