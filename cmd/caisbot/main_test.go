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
