// Package workspace is what happens to a Slack workspace's data as a
// whole: when the workspace removes caisbot or adds it back (Lifecycle),
// and the operator's export and deletion of everything caisbot keeps for
// it (Export, Delete; `caisbot workspace`). It knows no Slack client and
// no HTTP: bot/slackbot turns Slack's events into calls here.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/install"
)

// Installs is the installation store (install.Store).
type Installs interface {
	Remove(ctx context.Context, rm install.Removal) (install.Outcome, error)
	Find(ctx context.Context, teamID, enterpriseID string) (install.Installation, error)
}

// Records lists firms and reads installation records' links (store.Redis).
type Records interface {
	Firms(ctx context.Context) ([]firm.ID, error)
	install.Backend
}

// Announcements pauses and resumes a firm's subscriptions, each change
// with its audit entry (dialogs.Service).
type Announcements interface {
	PauseAnnouncements(ctx context.Context, f firm.ID, reason string) (bool, error)
	ResumeAnnouncements(ctx context.Context, f firm.ID, reason string) (bool, error)
}

// Lifecycle pauses a workspace's announcements when it removes caisbot
// and resumes them when it adds caisbot back. Everything else about its
// firms stays as it is: their record must be kept.
type Lifecycle struct {
	Installs      Installs
	Records       Records
	Announcements Announcements
	Log           *slog.Logger
}

// Removed drops the tokens of the installation rm names and pauses the
// announcements of every firm it served that no other installation
// serves now (a workspace of an organization keeps the org-wide install
// when its own goes). A workspace without an installation, a late event
// or another bot's token changes nothing. Pausing is idempotent: an
// event redelivered after a failure pauses what is left.
func (l *Lifecycle) Removed(ctx context.Context, rm install.Removal) (install.Outcome, error) {
	out, err := l.Installs.Remove(ctx, rm)
	if err != nil {
		return out, err
	}
	log := l.Log.With("installation", rm.Key.String(), "reason", rm.Reason, "outcome", out.String())
	if out == install.NoRecord || out == install.Kept {
		log.Info("slack removal event changed nothing")
		return out, nil
	}
	firms, err := l.firmsOf(ctx, rm.Key)
	if err != nil {
		return out, err
	}
	reason := dialogs.PauseUninstalled
	if rm.Revoked {
		reason = dialogs.PauseRevoked
	}
	n, err := l.each(ctx, firms, true, func(f firm.ID) (bool, error) { return l.Announcements.PauseAnnouncements(ctx, f, reason) })
	log.Info("slack workspace removed caisbot: tokens deleted, record kept", "firms", len(firms), "firms_paused", n, "err", err)
	return out, err
}

// Installed resumes the paused announcements of every firm in's
// installation serves (a reinstall; a first install has none).
func (l *Lifecycle) Installed(ctx context.Context, in install.Installation) error {
	k, err := in.Key()
	if err != nil {
		return err
	}
	firms, err := l.firmsOf(ctx, k)
	if err != nil {
		return err
	}
	n, err := l.each(ctx, firms, false, func(f firm.ID) (bool, error) {
		return l.Announcements.ResumeAnnouncements(ctx, f, dialogs.ResumeInstalled)
	})
	if n > 0 || err != nil {
		l.Log.Info("slack workspace added caisbot again: announcements resumed", "installation", k.String(), "firms_resumed", n, "err", err)
	}
	return err
}

// each applies change to the firms; pausing skips a firm whose workspace
// is still served by another installation. It returns how many changed
// and the errors joined (the others are still done).
func (l *Lifecycle) each(ctx context.Context, firms []firm.ID, pausing bool, change func(firm.ID) (bool, error)) (int, error) {
	var errs []error
	n := 0
	served := map[string]bool{}
	for _, f := range firms {
		if pausing {
			s, seen := served[f.Workspace]
			if !seen {
				_, err := l.Installs.Find(ctx, f.Workspace, "")
				if err != nil && !errors.Is(err, install.ErrNotInstalled) {
					errs = append(errs, err)
					continue
				}
				s, served[f.Workspace] = err == nil, err == nil
			}
			if s {
				continue
			}
		}
		changed, err := change(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
		}
		if changed {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// firmsOf lists the Slack firms installation k serves: a team's own
// firms, or for an org-wide install the firms of every workspace whose
// requests it served (the links install.Store.Find leaves).
func (l *Lifecycle) firmsOf(ctx context.Context, k install.Key) ([]firm.ID, error) {
	all, err := l.Records.Firms(ctx)
	if err != nil {
		return nil, err
	}
	linked := map[string]bool{}
	var out []firm.ID
	for _, f := range all {
		if f.Platform != firm.Slack {
			continue
		}
		in := f.Workspace == k.ID()
		if !in && k.Enterprise() {
			is, seen := linked[f.Workspace]
			if !seen {
				ent, found, err := install.LinkedEnterprise(ctx, l.Records, f.Workspace)
				if err != nil {
					return nil, err
				}
				is = found && ent == k.ID()
				linked[f.Workspace] = is
			}
			in = is
		}
		if in {
			out = append(out, f)
		}
	}
	return out, nil
}
