package app

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A roadmap file without version or reviewed still starts the bot, with a
// warning for each; a review more than six months before the bot's clock
// (CAIS_NOW) is warned about; the embedded roadmap, freshly reviewed, is not.
func TestRoadmapWarningsAtStartUp(t *testing.T) {
	embedded, err := os.ReadFile("../../dialogs/roadmap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bare := regexp.MustCompile(`(?m)^(version|reviewed): .*\n`).ReplaceAll(embedded, nil)
	old := regexp.MustCompile(`(?m)^reviewed: .*$`).ReplaceAll(embedded, []byte(`reviewed: "2026-01-15"`))
	tests := []struct {
		name      string
		file, now string
		want      []string
	}{
		{"embedded, reviewed recently", "", "2027-01-10T09:00:00-05:00", nil},
		{"embedded, review too old", "", "2027-07-10T09:00:00-04:00", []string{"more than 6 months ago"}},
		{"file without version and reviewed", write("bare.yaml", bare), "", []string{"no version", "no reviewed date"}},
		{"file reviewed long ago", write("old.yaml", old), "2026-12-07T09:00:00-05:00", []string{"last reviewed on 2026-01-15, more than 6 months ago"}},
		{"file reviewed within 6 months", write("old2.yaml", old), "2026-07-10T09:00:00-04:00", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("CAIS_ROADMAP_FILE", tc.file)
			t.Setenv("CAIS_NOW", tc.now)
			cfg, err := Load()
			if err != nil {
				t.Fatalf("start-up refused the roadmap: %v", err)
			}
			got := strings.Join(cfg.roadmapWarnings(), "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("warnings lack %q:\n%s", w, got)
				}
			}
			if len(tc.want) == 0 && got != "" {
				t.Errorf("unexpected warnings:\n%s", got)
			}
		})
	}
}
