package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/redis/go-redis/v9"
)

// Run is the whole process after configuration: it logs to stderr (JSON,
// or text on a terminal), wires the app, prints the playground's address
// to stdout in playground mode, and serves until ctx ends.
func Run(ctx context.Context, cfg *Config, stdout, stderr io.Writer) error {
	log := newLogger(stderr, cfg.logLevel)
	redis.SetLogger(redisLog{log})
	a, err := New(cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.playground() {
		fmt.Fprintf(stdout, "caisbot playground: open %s/ in your browser (no Slack needed)\n", a.BaseURL())
	}
	return a.Serve(ctx)
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
	l.log.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}
