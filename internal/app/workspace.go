package app

import (
	"context"
	"fmt"
	"io"

	"github.com/caisbot/caisbot/store"
	"github.com/caisbot/caisbot/workspace"
)

// WorkspaceCommand runs `caisbot workspace export|delete <team>` (args
// are the words after "workspace") against the Redis the bot's settings
// name, and returns the exit code. The embedded Redis is refused: it
// would hold nothing.
func WorkspaceCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if _, err := workspace.ParseArgs(args); err != nil {
		fmt.Fprintln(stderr, "workspace:", err)
		return 2
	}
	cfg, err := Load()
	if err != nil {
		fmt.Fprintln(stderr, "caisbot:", err)
		return 1
	}
	if cfg.RedisURL == "" && len(cfg.RedisAddrs) == 0 {
		fmt.Fprintln(stderr, "workspace: REDIS_URL (or REDIS_ADDRS) must name the bot's Redis")
		return 1
	}
	rdb, err := store.Open(store.Config{URL: cfg.RedisURL, Addrs: cfg.RedisAddrs, SentinelMaster: cfg.RedisSentinelMaster})
	if err != nil {
		fmt.Fprintln(stderr, "caisbot:", err)
		return 1
	}
	defer func() { _ = rdb.Close() }()
	env := workspace.Env{Store: store.New(rdb, cfg.RedisPrefix), Log: newLogger(stderr, cfg.logLevel).With("command", "workspace"), Now: cfg.clock()}
	return workspace.Command(ctx, args, env, stdout, stderr)
}
