package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// Bad configuration ends the process with exit code 1 and one line on
// stderr naming the variable (internal/app tests every variable).
func TestBadConfigurationExitsOne(t *testing.T) {
	t.Setenv("CAIS_SCOPE", "galaxy")
	var stderr bytes.Buffer
	if code := realMain(context.Background(), io.Discard, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if got := stderr.String(); !strings.HasPrefix(got, "caisbot: CAIS_SCOPE") || strings.Count(got, "\n") != 1 {
		t.Fatalf("stderr %q: want one line naming CAIS_SCOPE", got)
	}
}

// Asking for help prints the usage and exits 0; an unknown argument is
// refused with the usage on stderr and exit 2, and starts nothing.
func TestArguments(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"--help"}, 0, "caisbot verify-packet FILE.zip", ""},
		{[]string{"-h"}, 0, "run the bot; its settings come from the environment", ""},
		{[]string{"help"}, 0, "caisbot workspace export|delete TEAM", ""},
		{[]string{"--port=3000"}, 2, "", `caisbot: unknown argument "--port=3000"`},
		{[]string{"verify-packet"}, 2, "", "usage"},
	} {
		var stdout, stderr bytes.Buffer
		code := subcommand(tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stdout.String(), tc.out) || !strings.Contains(strings.ToLower(stderr.String()), strings.ToLower(tc.err)) {
			t.Errorf("caisbot %v: exit %d, stdout %q, stderr %q; want %d, %q, %q", tc.args, code, stdout.String(), stderr.String(), tc.code, tc.out, tc.err)
		}
		if tc.code == 0 && stderr.Len() > 0 {
			t.Errorf("caisbot %v wrote to stderr: %q", tc.args, stderr.String())
		}
	}
}

// A Redis that refuses at start-up ends the process with a last line
// that names the setting to fix (the log's lines come before it).
func TestRedisRefusalNamesTheSetting(t *testing.T) {
	t.Setenv("REDIS_URL", "redis://127.0.0.1:1/0")
	t.Setenv("CAIS_LISTEN_ADDR", "127.0.0.1:0")
	var stderr bytes.Buffer
	if code := realMain(context.Background(), io.Discard, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "caisbot: REDIS_URL: keeping the roadmap text in Redis: ") {
		t.Fatalf("stderr %q: want a last line naming REDIS_URL", stderr.String())
	}
}
