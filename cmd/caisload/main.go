// Command caisload is caisbot's load generator. It walks many simulated
// firms through the CAIS roadmap with signed slash commands and button
// clicks, against a caisbot it starts itself (-spawn, the default), wires
// in this process (-inprocess) or finds running (-target), and measures
// the same traffic against a bare net/http handler that does only the
// unavoidable work of /cais-next. It serves the fake Slack Web API and
// response_url sink the bot talks to. With -footprint N it measures Redis
// memory per firm instead. See README.md beside this file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "caisload:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch {
	case o.bareServe != "":
		err = serveBare(ctx, o)
	case o.footprint > 0:
		err = runFootprint(ctx, o, stdout)
	default:
		var missed bool
		missed, err = runLoad(ctx, o, stdout, stderr)
		if err == nil && missed && o.strict {
			return 3
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "caisload:", err)
		return 1
	}
	return 0
}

func openRedis(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, errors.New("-redis is not a valid redis:// URL")
	}
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("redis does not answer: %w", err)
	}
	return c, nil
}
