package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// Trail reads the firm's progress and its whole audit list in one
// MULTI/EXEC (both keys share the firm's hash tag), so that verify and
// export see everything stored, entries past the recorded end included,
// and no commit can land between the two reads.
func (r *Redis) Trail(ctx context.Context, f firm.ID) (dialogs.Progress, []dialogs.Entry, error) {
	k, err := r.keys(f)
	if err != nil {
		return dialogs.Progress{}, nil, err
	}
	var progress *redis.SliceCmd
	var audit *redis.StringSliceCmd
	_, err = r.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		progress = p.HMGet(ctx, k.progress, "v", progressField)
		audit = p.LRange(ctx, k.audit, 0, -1)
		return nil
	})
	if err != nil {
		return dialogs.Progress{}, nil, unavailable("trail "+f.String(), err)
	}
	p, err := decodeProgress(f.String(), progress.Val())
	if err != nil {
		return dialogs.Progress{}, nil, err
	}
	entries, err := decodeEntries(f.String(), audit.Val(), 0)
	return p, entries, err
}

// decodeEntries decodes raw, read by LRANGE from start. An entry that
// cannot be read is an integrity failure naming its place.
func decodeEntries(firm string, raw []string, start int64) ([]dialogs.Entry, error) {
	entries := make([]dialogs.Entry, len(raw))
	for i, s := range raw {
		if err := json.Unmarshal([]byte(s), &entries[i]); err != nil {
			place := fmt.Sprintf("entry %d", start+int64(i)+1)
			if start < 0 {
				place = fmt.Sprintf("the entry %d from the end", len(raw)-i)
			}
			return nil, dialogs.Integrity(firm, "stored "+place+" cannot be read as an audit entry", err)
		}
	}
	return entries, nil
}
