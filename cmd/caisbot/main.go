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
	if len(os.Args) > 1 {
		os.Exit(subcommand(os.Args[1:], os.Stdout, os.Stderr))
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

const usage = `caisbot walks a broker-dealer through FINRA CAT's CAIS onboarding in Slack or Microsoft Teams.

Usage:
  caisbot                                 run the bot; its settings come from the environment
                                          (README, "Settings"); with no Slack or Teams settings
                                          it serves the local playground
  caisbot verify-packet FILE.zip          check an exam packet offline
  caisbot workspace export|delete TEAM    export or delete one Slack workspace's data
  caisbot help                            this text
`

// subcommand runs what the arguments name and returns the exit code; the
// bot itself takes no arguments, so anything unknown is refused rather
// than ignored (a mistyped flag must not start a bot).
func subcommand(args []string, stdout, stderr io.Writer) int {
	switch args[0] {
	case "verify-packet":
		return packet.Command(args[1:], stdout, stderr)
	case "workspace":
		return app.WorkspaceCommand(context.Background(), args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "caisbot: unknown argument %q\n\n%s", args[0], usage)
	return 2
}
