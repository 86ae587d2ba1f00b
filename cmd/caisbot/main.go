// Command caisbot runs the CAIS onboarding bot: Slack over HTTP or Socket
// Mode, Microsoft Teams, or, with neither configured, a local playground.
// It reads the configuration and hands it to internal/app, which does the
// wiring. `caisbot verify-packet FILE.zip` checks an exam packet offline
// (package packet); `caisbot workspace export|delete <team>` exports or
// deletes one Slack workspace's data (package workspace).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/caisbot/caisbot/internal/app"
	"github.com/caisbot/caisbot/packet"
)

// gcPercent is the garbage collector's target unless GOGC is set: it trades
// about 15 MiB of memory for a quarter less CPU per request (cmd/caisload).
const gcPercent = 400

func main() {
	if len(os.Args) > 1 && os.Args[1] == "verify-packet" {
		os.Exit(packet.Command(os.Args[2:], os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "workspace" {
		os.Exit(app.WorkspaceCommand(context.Background(), os.Args[2:], os.Stdout, os.Stderr))
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	setMemoryLimit(os.ReadFile)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := realMain(ctx, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// realMain reads the configuration from the environment and runs the
// bot until ctx ends; it returns the exit code.
func realMain(ctx context.Context, stdout, stderr io.Writer) int {
	cfg, err := app.Load()
	if err == nil {
		err = app.Run(ctx, cfg, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "caisbot:", err)
		return 1
	}
	return 0
}
