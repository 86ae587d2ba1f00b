package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
)

// emptyPacket writes the packet of a firm with no entries yet.
func emptyPacket(t *testing.T, dir string) string {
	t.Helper()
	files := [][2]string{{"audit.csv", strings.Join(dialogs.ExportColumns(), ",") + "\n"}, {"audit.jsonl", ""}}
	var manifest strings.Builder
	for _, f := range files {
		sum := sha256.Sum256([]byte(f[1]))
		manifest.WriteString(hex.EncodeToString(sum[:]) + "  " + f[0] + "\n")
	}
	files = append(files, [2]string{"MANIFEST.sha256", manifest.String()})
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range files {
		fw, err := w.Create(f[0])
		if err == nil {
			_, err = fw.Write([]byte(f[1]))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "p.zip")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// `caisbot verify-packet` is dispatched before any configuration is read:
// exit 0 and one line on stdout, 1 and the problem on stderr, 2 for usage.
func TestVerifyPacketSubcommand(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	good := emptyPacket(t, dir)
	t.Setenv("CAIS_SCOPE", "galaxy") // a bad setting the bot would refuse
	cases := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{good}, 0, "p.zip: OK — 2 files match MANIFEST.sha256; 0 audit entries chained", ""},
		{[]string{filepath.Join(dir, "none.zip")}, 1, "", "verify-packet: "},
		{nil, 2, "", "usage: caisbot verify-packet FILE.zip"},
	}
	for _, c := range cases {
		cmd := exec.Command(bin, append([]string{"verify-packet"}, c.args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.code || !strings.HasPrefix(stdout.String(), c.stdout) || !strings.Contains(stderr.String(), c.stderr) || (c.code == 0 && strings.Count(stdout.String(), "\n") != 1) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, stdout.String(), stderr.String())
		}
	}
}
