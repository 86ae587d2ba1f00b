package main

import (
	firmid "github.com/caisbot/caisbot/firm"

	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
)

// footprintResult is Redis memory per firm after a full journey each.
type footprintResult struct {
	Firms         int
	Confirmations int     // per firm
	UsedDelta     int64   // INFO used_memory after − before, bytes
	PerFirm       float64 // UsedDelta / Firms: everything a firm costs, allocator and keyspace included
	Sampled       int
	ProgressUsage float64 // MEMORY USAGE of the progress hash, mean bytes
	ProgressJSON  float64 // HSTRLEN of its JSON, mean bytes
	AuditUsage    float64 // MEMORY USAGE of the audit list, mean bytes
	AuditEntries  float64 // LLEN, mean
	PerEntry      float64 // AuditUsage / AuditEntries
	EntryJSON     float64 // mean bytes of one entry's JSON
	IndexUsage    int64   // MEMORY USAGE of the firms set (all firms)
	Projected     float64 // bytes for 100,000 firms, from PerFirm
	Elapsed       time.Duration
	Deleted       int
}

// firmID is a Slack-like team id: "T" and ten base32 characters.
func firmID() string { return "T" + rand.Text()[:10] }

// journey walks one firm through the whole roadmap by its primary
// buttons (11 confirmations on the CAT Reporting Agent path with two agents) and returns
// the number of confirmations.
func journey(ctx context.Context, svc *dialogs.Service, team string) (int, error) {
	firm := firmid.ID{Platform: firmid.Slack, Workspace: team}
	ev := dialogs.Event{User: "U" + rand.Text()[:10], Channel: "C" + rand.Text()[:10]}
	reply, err := svc.Command(ctx, firm, ev, dialogs.ParseCommand(""))
	if err != nil {
		return 0, err
	}
	n := 0
	for range 20 {
		value := ""
		for _, a := range reply.Actions {
			if a.Style == dialogs.Primary {
				value = a.Value
				break
			}
		}
		if value == "" {
			return n, nil
		}
		if reply, err = svc.Click(ctx, firm, ev, value); err != nil {
			return n, err
		}
		if reply.Form != nil {
			sub := ev
			sub.Input, sub.Submitted = agentsInput, true
			if reply, err = svc.Click(ctx, firm, sub, reply.FormToken); err != nil {
				return n, err
			}
		}
		if reply.Public == "" {
			return n, fmt.Errorf("click %q confirmed nothing: %s", value, reply.Title)
		}
		n++
	}
	return n, errors.New("journey did not end")
}

func usedMemory(ctx context.Context, rdb redis.UniversalClient) (int64, error) {
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("no used_memory in INFO")
}

// footprint writes n firms' journeys under a fresh prefix, measures, and
// deletes them again.
func footprint(ctx context.Context, rdb redis.UniversalClient, n, workers int, progress io.Writer) (*footprintResult, error) {
	prefix := "caisfoot:" + rand.Text()[:8] + ":"
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, err
	}
	st := store.New(rdb, prefix)
	svc, err := dialogs.NewService(&dialogs.Flow{Roadmap: dialogs.Default(), Loc: loc}, st, time.Now)
	if err != nil {
		return nil, err
	}
	res := &footprintResult{Firms: n}
	cleaned := false
	cleanup := func() {
		if cleaned {
			return
		}
		cleaned = true
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		res.Deleted, _ = deletePrefix(cctx, rdb, prefix)
	}
	defer cleanup()
	before, err := usedMemory(ctx, rdb)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	firms := make([]string, n)
	for i := range firms {
		firms[i] = firmID()
	}
	confs, err := writeJourneys(ctx, svc, firms, workers, progress)
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(start)
	res.Confirmations = int(confs) / n
	after, err := usedMemory(ctx, rdb)
	if err != nil {
		return nil, err
	}
	res.UsedDelta = after - before
	res.PerFirm = float64(res.UsedDelta) / float64(n)
	res.Projected = res.PerFirm * 100000

	if err := res.sample(ctx, rdb, prefix, firms); err != nil {
		return nil, err
	}
	res.IndexUsage, _ = rdb.MemoryUsage(ctx, prefix+"firms", 0).Result()
	cleanup()
	return res, nil
}

// writeJourneys walks every firm through its journey with workers
// goroutines and returns the confirmations made in all.
func writeJourneys(ctx context.Context, svc *dialogs.Service, firms []string, workers int, progress io.Writer) (int64, error) {
	n := len(firms)
	var next, confs atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				c, err := journey(ctx, svc, firms[i])
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				confs.Add(int64(c))
				if progress != nil && (i+1)%10000 == 0 {
					fmt.Fprintf(progress, "caisload: %d firms written\n", i+1)
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return confs.Load(), ctx.Err()
}

// sample measures the keys of up to 1,000 of the firms. MEMORY USAGE
// with SAMPLES 0 counts every element of the hash/list.
func (r *footprintResult) sample(ctx context.Context, rdb redis.UniversalClient, prefix string, firms []string) error {
	n := len(firms)
	sample := min(n, 1000)
	r.Sampled = sample
	var pu, pj, au, al, ej float64
	for i := range sample {
		f := firms[i*n/sample]
		base := prefix + "{" + f + "}:"
		u1, err := rdb.MemoryUsage(ctx, base+"progress", 0).Result()
		if err != nil {
			return fmt.Errorf("MEMORY USAGE: %w", err)
		}
		l1, _ := rdb.HStrLen(ctx, base+"progress", "p").Result()
		u2, _ := rdb.MemoryUsage(ctx, base+"audit", 0).Result()
		entries, _ := rdb.LRange(ctx, base+"audit", 0, -1).Result()
		pu, pj, au, al = pu+float64(u1), pj+float64(l1), au+float64(u2), al+float64(len(entries))
		for _, e := range entries {
			ej += float64(len(e)) / float64(len(entries))
		}
	}
	s := float64(sample)
	r.ProgressUsage, r.ProgressJSON, r.AuditUsage, r.AuditEntries, r.EntryJSON = pu/s, pj/s, au/s, al/s, ej/s
	if r.AuditEntries > 0 {
		r.PerEntry = r.AuditUsage / r.AuditEntries
	}
	return nil
}

func runFootprint(ctx context.Context, o *options, w io.Writer) error {
	rdb, err := openRedis(o.redisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	r, err := footprint(ctx, rdb, o.footprint, o.conc, w)
	if err != nil {
		return err
	}
	r.print(w)
	return nil
}

func (r *footprintResult) print(w io.Writer) {
	const gib = 1 << 30
	fmt.Fprintf(w, "Redis footprint: %d firms, %d confirmations each (full journey, agent path), written in %s\n", r.Firms, r.Confirmations, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  used_memory grew by %d bytes: %.0f bytes per firm (keyspace and allocator overhead included)\n", r.UsedDelta, r.PerFirm)
	fmt.Fprintf(w, "  progress hash: %.0f bytes (MEMORY USAGE), of which %.0f bytes of JSON\n", r.ProgressUsage, r.ProgressJSON)
	fmt.Fprintf(w, "  audit list: %.0f bytes for %.1f entries = %.0f bytes per entry (JSON %.0f bytes)\n", r.AuditUsage, r.AuditEntries, r.PerEntry, r.EntryJSON)
	fmt.Fprintf(w, "  firms index: %d bytes for all %d firms (%.0f per firm)\n", r.IndexUsage, r.Firms, float64(r.IndexUsage)/float64(r.Firms))
	fmt.Fprintf(w, "  100,000 firms: %.0f MiB (%.1f%% of 1 GiB) — %s\n", r.Projected/(1<<20), 100*r.Projected/gib, map[bool]string{true: "fits", false: "DOES NOT FIT"}[r.Projected < gib])
	fmt.Fprintf(w, "  (MEMORY USAGE averaged over %d firms; %d keys deleted afterwards)\n", r.Sampled, r.Deleted)
}
