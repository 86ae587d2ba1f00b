package store

import (
	"context"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

var _ dialogs.FirmLister = (*Redis)(nil)

// FirmsIn lists the firms of workspace w, sorted, from the one firms
// index (Firms): one SMEMBERS, filtered here by the parsed id, never by
// the member's shape, so no firm of another workspace can slip in. The
// index spans every workspace; at the sizes a deployment serves (a few
// thousand firms, ~20 bytes each) reading it whole costs less than
// keeping a second index per workspace in step with it.
func (r *Redis) FirmsIn(ctx context.Context, w firm.Workspace) ([]firm.ID, error) {
	all, err := r.Firms(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, f := range all {
		if w.Has(f) {
			out = append(out, f)
		}
	}
	return out, nil
}
