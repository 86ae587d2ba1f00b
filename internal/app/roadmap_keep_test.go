package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

// At start-up the roadmap's text (here a CAIS_ROADMAP_FILE) is kept in
// Redis under its SHA-256, byte for byte, and new entries name it.
func TestStartUpKeepsTheRoadmapText(t *testing.T) {
	embedded, err := os.ReadFile("../../dialogs/roadmap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := append([]byte("# the firm's own copy\n"), embedded...)
	path := filepath.Join(t.TempDir(), "roadmap.yaml")
	if err := os.WriteFile(path, text, 0o600); err != nil {
		t.Fatal(err)
	}
	clearEnv(t)
	t.Setenv("CAIS_LISTEN_ADDR", "127.0.0.1:0")
	t.Setenv("CAIS_ROADMAP_FILE", path)
	cfg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, newLogger(io.Discard, slog.LevelInfo))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := sha256.Sum256(text)
	sum := hex.EncodeToString(h[:])
	got, found, err := a.store.RoadmapText(context.Background(), sum)
	if err != nil || !found || string(got) != string(text) {
		t.Fatalf("kept roadmap %s: %d bytes, found=%v, %v; want the file byte for byte", sum, len(got), found, err)
	}
	if a.svc.Flow.Roadmap.SHA256() != sum {
		t.Errorf("the service's roadmap is %s; want the file's %s", a.svc.Flow.Roadmap.SHA256(), sum)
	}
}
