package dialogs

import (
	"context"
	"strings"

	"github.com/caisbot/caisbot/firm"
)

// withSameCRD adds to a saved profile's reply the other firms of the
// workspace that already have its CRD number. A CRD number names one
// firm, so two channels with one number is likely a typing mistake (the
// exam packet's file name and the console would mix them up); the save
// stands, since two channels may serve one firm on purpose.
func (s *Service) withSameCRD(ctx context.Context, f firm.ID, reply Reply) Reply {
	if s.Firms == nil || !reply.Changed || f.Channel == "" {
		return reply
	}
	p, err := s.Store.Load(ctx, f)
	if err != nil || p.Profile == nil {
		return reply
	}
	mine := p.Profile.CRD
	ids, err := s.Firms.FirmsIn(ctx, f.Space())
	if err != nil {
		return reply
	}
	ps, err := s.Firms.LoadMany(ctx, ids)
	if err != nil {
		return reply
	}
	var others []string
	for i, id := range ids {
		if pr := ps[i].Profile; id != f && pr != nil && pr.CRD == mine {
			others = append(others, "**"+Name(pr.Name)+"**")
		}
	}
	if len(others) > 0 {
		reply.text("⚠️ Another firm of this workspace already has CRD " + mine + ": " + strings.Join(others, ", ") + ". A CRD number names one firm: if this is a different firm, check the number and change the profile again.")
	}
	return reply
}
