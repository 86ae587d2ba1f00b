package store

import (
	"context"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// countBatch bounds one pipeline's size when counting firms.
const countBatch = 500

// CountByStep counts firms by their current step or outcome (a firm that
// has not answered Step 1 counts under start). It reads every firm in
// pipelined batches; callers cache the result.
func (r *Redis) CountByStep(ctx context.Context, start string) (map[string]int, error) {
	firms, err := r.Firms(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for len(firms) > 0 {
		n := min(len(firms), countBatch)
		if err := r.countBatch(ctx, firms[:n], start, counts); err != nil {
			return nil, err
		}
		firms = firms[n:]
	}
	return counts, nil
}

func (r *Redis) countBatch(ctx context.Context, firms []firm.ID, start string, counts map[string]int) error {
	pipe := r.c.Pipeline()
	for _, f := range firms {
		if k, err := r.keys(f); err == nil {
			pipe.HMGet(ctx, k.progress, "v", progressField)
		}
	}
	cmds, err := pipe.Exec(ctx)
	if err != nil {
		return unavailable("count firms", err)
	}
	for i, c := range cmds {
		p, err := decodeProgress(firms[i].String(), c.(interface{ Val() []any }).Val())
		if err != nil || p.Version == 0 {
			continue
		}
		counts[position(p, start)]++
	}
	return nil
}

func position(p dialogs.Progress, start string) string {
	if p.Current == "" {
		return start
	}
	return p.Current
}
