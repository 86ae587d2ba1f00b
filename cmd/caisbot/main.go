// Command caisbot runs the CAIS onboarding bot: Slack over HTTP or Socket
// Mode, or, with no Slack configured, a local playground.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// gcPercent is the garbage collector's target unless GOGC is set: it trades
// about 15 MiB of memory for a quarter less CPU per request (cmd/caisload).
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "caisbot:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdout, stderr io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.logLevel)
	redis.SetLogger(redisLog{log})
	a, err := newApp(cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	if cfg.playground() {
		fmt.Fprintf(stdout, "caisbot playground: open %s/ in your browser (no Slack needed)\n", a.baseURL())
	}
	return a.serve(ctx)
}

// newLogger writes JSON for machines and text on a terminal.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return slog.New(slog.NewTextHandler(w, opts))
		}
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// redisLog sends go-redis's own messages (failed dials, pool trouble) to the
// structured log instead of bare stderr lines.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "msg", fmt.Sprintf(format, v...))
}
