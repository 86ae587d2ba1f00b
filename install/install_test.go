package install_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/install"
)

var key32 = bytes.Repeat([]byte{7}, 32)

// memory is a Backend in a map, recording what it was given.
type memory struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (m *memory) PutInstallation(_ context.Context, key string, rec []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string][]byte{}
	}
	m.m[key] = bytes.Clone(rec)
	return nil
}

func (m *memory) GetInstallation(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.m[key]
	return bytes.Clone(b), ok, nil
}

func (m *memory) SwapInstallation(_ context.Context, key string, old, rec []byte) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.m[key]; !ok || !bytes.Equal(cur, old) {
		return false, nil
	}
	m.m[key] = bytes.Clone(rec)
	return true, nil
}

func newStore(t *testing.T, key []byte) (*install.Store, *memory) {
	t.Helper()
	b := &memory{}
	s, err := install.NewStore(b, key)
	if err != nil {
		t.Fatal(err)
	}
	return s, b
}

func teamInstall(team, token string) install.Installation {
	return install.Installation{TeamID: team, TeamName: "Acme Securities", BotToken: install.Token(token), BotUserID: "UBOT",
		Scopes: []string{"commands", "chat:write"}, InstallerID: "U0ALICE", InstalledAt: time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)}
}

func TestSaveFindRoundTrip(t *testing.T) {
	s, _ := newStore(t, key32)
	ctx := context.Background()
	in := teamInstall("T0ACME", "xoxb-acme-secret")
	in.RefreshToken, in.ExpiresAt = "xoxe-1-refresh", in.InstalledAt.Add(12*time.Hour)
	if err := s.Save(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.Find(ctx, "T0ACME", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.BotToken.Reveal() != "xoxb-acme-secret" || got.RefreshToken.Reveal() != "xoxe-1-refresh" || got.TeamName != "Acme Securities" ||
		got.InstallerID != "U0ALICE" || !got.InstalledAt.Equal(in.InstalledAt) || !got.ExpiresAt.Equal(in.ExpiresAt) || strings.Join(got.Scopes, " ") != "commands chat:write" {
		t.Fatalf("found %+v", got)
	}
	if _, err := s.Find(ctx, "T0OTHER", ""); !errors.Is(err, install.ErrNotInstalled) {
		t.Fatalf("another team: %v, want ErrNotInstalled", err)
	}
}

func TestOrgWideInstallServesItsWorkspaces(t *testing.T) {
	s, b := newStore(t, key32)
	ctx := context.Background()
	org := install.Installation{EnterpriseID: "E0GRID", EnterpriseName: "Grid Co", IsEnterpriseInstall: true, BotToken: "xoxb-grid", InstallerID: "U0ORG"}
	if err := s.Save(ctx, org); err != nil {
		t.Fatal(err)
	}
	own := teamInstall("T0OWN", "xoxb-own")
	own.EnterpriseID = "E0GRID"
	if err := s.Save(ctx, own); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ team, enterprise, token string }{
		{"T0ANY", "E0GRID", "xoxb-grid"}, // any workspace of the org
		{"T0OWN", "E0GRID", "xoxb-own"},  // a workspace's own install comes first
		{"", "E0GRID", "xoxb-grid"},      // an org-level request
		{"T0ANY", "E0ELSE", "not found"}, // another org
		{"T0ANY", "", "xoxb-grid"},       // no org named: the link T0ANY's request left (a reminder)
		{"T0NEVER", "", "not found"},     // a workspace never seen
		{"T0OWN", "", "xoxb-own"},
	}
	for _, tc := range tests {
		in, err := s.Find(ctx, tc.team, tc.enterprise)
		got := "not found"
		if err == nil {
			got = in.BotToken.Reveal()
		} else if !errors.Is(err, install.ErrNotInstalled) {
			t.Fatal(err)
		}
		if got != tc.token {
			t.Errorf("Find(%q, %q) = %s, want %s", tc.team, tc.enterprise, got, tc.token)
		}
	}
	if _, ok := b.m["enterprise:E0GRID"]; !ok {
		t.Errorf("org-wide install kept under %v, want enterprise:E0GRID", b.m)
	}
}

// TestMovedCiphertextDoesNotOpen: a record (or only its token) copied
// under another team's key, a changed byte, or another key all fail.
func TestMovedCiphertextDoesNotOpen(t *testing.T) {
	s, b := newStore(t, key32)
	ctx := context.Background()
	for _, team := range []string{"T0ACME", "T0EVIL"} {
		if err := s.Save(ctx, teamInstall(team, "xoxb-"+team)); err != nil {
			t.Fatal(err)
		}
	}
	var acme, evil map[string]any
	_ = json.Unmarshal(b.m["team:T0ACME"], &acme)
	_ = json.Unmarshal(b.m["team:T0EVIL"], &evil)
	evil["bot_token"] = acme["bot_token"]
	swapped, _ := json.Marshal(evil)
	flipped := bytes.Clone(b.m["team:T0ACME"])
	i := bytes.Index(flipped, []byte(`"bot_token":"`)) + len(`"bot_token":"`) + 20
	flipped[i] ^= 1
	tests := []struct {
		name string
		rec  []byte
	}{
		{"whole record under another team", b.m["team:T0ACME"]},
		{"token under another team", swapped},
		{"a changed byte", flipped},
	}
	for _, tc := range tests {
		b.m["team:T0EVIL"] = tc.rec
		if in, err := s.Find(ctx, "T0EVIL", ""); err == nil {
			t.Errorf("%s: opened, token %q", tc.name, in.BotToken.Reveal())
		}
	}
	// The same bytes under a store with another key.
	ob := &memory{m: map[string][]byte{"team:T0ACME": b.m["team:T0ACME"]}}
	wrong, _ := install.NewStore(ob, bytes.Repeat([]byte{8}, 32))
	if _, err := wrong.Find(ctx, "T0ACME", ""); !errors.Is(err, install.ErrSealed) {
		t.Errorf("another key: %v, want ErrSealed", err)
	}
}

func TestTokensNeverPrintOrEncode(t *testing.T) {
	in := teamInstall("T0ACME", "xoxb-never-shown")
	in.RefreshToken = "xoxe-never-shown"
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("install", "in", in, "token", in.BotToken)
	out := fmt.Sprintf("%v %+v %#v %s", in, in, in, in.BotToken) + logs.String()
	if strings.Contains(out, "never-shown") {
		t.Fatalf("token printed: %s", out)
	}
	if b, err := json.Marshal(in); err == nil {
		t.Fatalf("an installation encoded in clear: %s", b)
	}
}

func TestBadKeysAndIDs(t *testing.T) {
	if _, err := install.NewStore(&memory{}, make([]byte, 16)); err == nil {
		t.Error("a 16-byte key was accepted")
	}
	s, _ := newStore(t, key32)
	for _, team := range []string{"", "t0lower", "T0{tag}", "T0 SPACE", strings.Repeat("T", 40)} {
		if err := s.Save(context.Background(), teamInstall(team, "xoxb-1")); err == nil {
			t.Errorf("team %q saved", team)
		}
	}
	if err := s.Save(context.Background(), teamInstall("T0ACME", "")); err == nil {
		t.Error("an installation without a bot token was saved")
	}
}
