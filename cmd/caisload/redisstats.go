package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisSnap is one reading of the server's counters. They cover every
// client of that Redis, so other users of the server show up in them.
type redisSnap struct {
	ok         bool
	commands   int64
	byCommand  map[string]int64
	usedMemory int64
	pid        int
}

func snapRedis(ctx context.Context, rdb redis.UniversalClient) redisSnap {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	s := redisSnap{byCommand: map[string]int64{}}
	info, err := rdb.Info(ctx, "stats", "commandstats", "memory", "server").Result()
	if err != nil {
		return s
	}
	for line := range strings.SplitSeq(info, "\n") {
		line = strings.TrimSpace(line)
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch {
		case k == "total_commands_processed":
			s.commands, _ = strconv.ParseInt(v, 10, 64)
			s.ok = true
		case k == "used_memory":
			s.usedMemory, _ = strconv.ParseInt(v, 10, 64)
		case k == "process_id":
			s.pid, _ = strconv.Atoi(v)
		case strings.HasPrefix(k, "cmdstat_"):
			calls, _, _ := strings.Cut(strings.TrimPrefix(v, "calls="), ",")
			n, _ := strconv.ParseInt(calls, 10, 64)
			s.byCommand[strings.TrimPrefix(k, "cmdstat_")] = n
		}
	}
	return s
}

// redisFigures is Redis's work over one phase, per measured request.
type redisFigures struct {
	Commands      int64              `json:"commands"`
	PerRequest    float64            `json:"commands_per_req"`
	ByCommand     map[string]float64 `json:"per_req_by_command"`
	UsedMemoryMiB [2]float64         `json:"used_memory_mib_start_end"`
}

// redisDelta sums the counters over pairs of snapshots (start, end of
// each segment).
func redisDelta(snaps []redisSnap, requests int64) *redisFigures {
	if len(snaps) < 2 || requests == 0 {
		return nil
	}
	f := &redisFigures{ByCommand: map[string]float64{},
		UsedMemoryMiB: [2]float64{float64(snaps[0].usedMemory) / (1 << 20), float64(snaps[len(snaps)-1].usedMemory) / (1 << 20)}}
	calls := map[string]int64{}
	for i := 0; i+1 < len(snaps); i += 2 {
		a, b := snaps[i], snaps[i+1]
		if !a.ok || !b.ok {
			return nil
		}
		f.Commands += b.commands - a.commands
		for k, v := range b.byCommand {
			calls[k] += v - a.byCommand[k]
		}
	}
	f.PerRequest = float64(f.Commands) / float64(requests)
	for _, k := range slices.Sorted(maps.Keys(calls)) {
		if d := calls[k]; d > 0 && k != "info" {
			f.ByCommand[k] = float64(d) / float64(requests)
		}
	}
	return f
}

// deletePrefix unlinks every key under prefix and says how many. SCAN
// may return a key twice while Redis rehashes; each is counted once.
func deletePrefix(ctx context.Context, rdb redis.UniversalClient, prefix string) (int, error) {
	n := 0
	seen := map[string]bool{}
	iter := rdb.Scan(ctx, 0, escapeGlob(prefix)+"*", 1000).Iterator()
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := rdb.Unlink(ctx, batch...).Err()
		n += len(batch)
		batch = batch[:0]
		return err
	}
	for iter.Next(ctx) {
		if seen[iter.Val()] {
			continue
		}
		seen[iter.Val()] = true
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

func escapeGlob(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

// listEntries sums the lengths of the lists whose keys match pattern (a
// glob), to count what a run appended.
func listEntries(ctx context.Context, rdb redis.UniversalClient, pattern string) (int64, error) {
	var total int64
	var keys []string
	sum := func() error {
		if len(keys) == 0 {
			return nil
		}
		cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.LLen(ctx, k)
			}
			return nil
		})
		for _, c := range cmds {
			total += c.(*redis.IntCmd).Val()
		}
		keys = keys[:0]
		return err
	}
	seen := map[string]bool{}
	iter := rdb.Scan(ctx, 0, pattern, 1000).Iterator()
	for iter.Next(ctx) {
		if k := iter.Val(); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
		if len(keys) == 500 {
			if err := sum(); err != nil {
				return total, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return total, err
	}
	return total, sum()
}

// countBareCommits counts the entries in the bare reference's audit
// lists (before the cleanup deletes them).
func countBareCommits(rdb redis.UniversalClient, prefix string, stderr io.Writer) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := listEntries(ctx, rdb, escapeGlob(prefix)+"bare:*:audit")
	if err != nil {
		fmt.Fprintln(stderr, "caisload: counting the bare reference's commits:", err)
	}
	return n
}
