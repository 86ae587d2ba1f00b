package dialogs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/caisbot/caisbot/firm"
)

// ProgressAndRoles is a Store that also keeps roles and reads a firm's
// progress and its workspace's roles in one round trip (store.Redis).
// When Service.Store has it and Service.Roles is set, commands and
// clicks read both together; Roles should then be the same store.
type ProgressAndRoles interface {
	LoadWithRoles(ctx context.Context, f firm.ID) (Progress, Roles, error)
}

// FreshRoles is a ProgressAndRoles that may answer roles from memory
// (store.Redis keeps them while subscribed to their changes) and can be
// told to read them instead.
type FreshRoles interface {
	LoadWithFreshRoles(ctx context.Context, f firm.ID) (Progress, Roles, error)
}

// rolesRead says what roles a request needs and from where.
type rolesRead int

const (
	noRoles    rolesRead = iota // the operator's lists only (the bot's own changes)
	keptRoles                   // the workspace's, from memory if the store keeps them
	freshRoles                  // the workspace's, from Redis
)

// An action only an admin or a principal may take reads the roles from
// Redis, so that a role revoked a moment ago through another replica is
// not honoured while the news is on its way; anything else may use the
// roles a replica keeps.
var (
	freshCommands = map[string]bool{CmdUndo: true, CmdReset: true, CmdDeadline: true, CmdAnnounce: true, CmdProfile: true}
	freshClicks   = map[string]bool{KindReset: true, KindApprove: true, KindSendBack: true, KindTarget: true, KindProfile: true}
)

// load reads f's progress and, as need says, the flow as it applies to f.
func (s *Service) load(ctx context.Context, f firm.ID, need rolesRead) (Progress, *Flow, error) {
	if need == noRoles || s.Roles == nil {
		p, err := s.Store.Load(ctx, f)
		return p, s.Flow, err
	}
	if fresh, ok := s.Store.(FreshRoles); ok && need == freshRoles {
		p, r, err := fresh.LoadWithFreshRoles(ctx, f)
		return p, s.Flow.With(r), err
	}
	if both, ok := s.Store.(ProgressAndRoles); ok {
		p, r, err := both.LoadWithRoles(ctx, f)
		return p, s.Flow.With(r), err
	}
	r, err := s.Roles.LoadRoles(ctx, f.Space())
	if err != nil {
		return Progress{}, nil, err
	}
	p, err := s.Store.Load(ctx, f)
	return p, s.Flow.With(r), err
}

// flowFor is the flow as it applies to firm f: the operator's lists with
// f's workspace's roles added. Without a RoleStore it is Flow itself.
func (s *Service) flowFor(ctx context.Context, f firm.ID) (*Flow, error) {
	if s.Roles == nil {
		return s.Flow, nil
	}
	r, err := s.Roles.LoadRoles(ctx, f.Space())
	if err != nil {
		return nil, s.noteIntegrity("request", err)
	}
	return s.Flow.With(r), nil
}

// roleCommand answers `admins` and `principals`: alone they list; with
// add|remove and the person cmd.User names, admins change them.
func (s *Service) roleCommand(ctx context.Context, f firm.ID, ev Event, cmd Command) (Reply, error) {
	role := RoleAdmin
	if cmd.Name == CmdPrincipals {
		role = RolePrincipal
	}
	switch {
	case s.Roles == nil && len(cmd.Args) > 0:
		return Notice("Roles unchanged", "Here admins and principals are set by the operator only (CAIS_ADMIN_USERS, CAIS_PRINCIPALS). Nothing was changed."), nil
	case s.Roles == nil:
		return s.Flow.RolesReply(Roles{}, role, nil, true), nil
	}
	w := f.Space()
	verb := ""
	if len(cmd.Args) > 0 {
		verb = strings.ToLower(cmd.Args[0])
	}
	if verb == "" || verb == "export" {
		r, log, err := s.Roles.RolesTrail(ctx, w)
		if err != nil {
			return Reply{}, s.noteIntegrity("request", err)
		}
		if verb == "export" {
			return s.Flow.RolesExport(log, s.stamp(ev).At), nil
		}
		return s.Flow.RolesReply(r, role, log, ev.RolesByOperator), nil
	}
	if (verb != "add" && verb != "remove") || cmd.User == "" || len(cmd.Args) < 2 {
		return RoleUsage(role, strings.Join(cmd.Args[min(1, len(cmd.Args)):], " ")), nil
	}
	return s.changeRoles(ctx, w, func(r Roles) RoleResult {
		return s.Flow.ChangeRole(r, ev, role, verb == "add", cmd.User)
	})
}

// changeRoles loads, changes and commits a workspace's roles, retrying
// on a concurrent change as applyAs does for a firm.
func (s *Service) changeRoles(ctx context.Context, w firm.Workspace, step func(Roles) RoleResult) (Reply, error) {
	for range maxAttempts {
		r, err := s.Roles.LoadRoles(ctx, w)
		if err != nil {
			return Reply{}, s.noteIntegrity("request", err)
		}
		res := step(r)
		if res.Next == nil {
			return res.Reply, nil
		}
		res.Entry.Seal(r.Seq, r.Head)
		res.Next.Seq, res.Next.Head = res.Entry.Seq, res.Entry.Hash
		err = s.Roles.CommitRoles(ctx, w, r.Version, *res.Next, res.Entry)
		if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrIntegrity) {
			// As applyAs: an identical retry settles a lost reply.
			err = s.Roles.CommitRoles(ctx, w, r.Version, *res.Next, res.Entry)
			if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrIntegrity) {
				return Reply{}, fmt.Errorf("%w: %w", ErrUncertain, err)
			}
		}
		switch {
		case errors.Is(err, ErrConflict):
			continue
		case err != nil:
			return Reply{}, s.noteIntegrity("request", err)
		}
		res.Reply.Changed = true
		return res.Reply, nil
	}
	return Reply{}, fmt.Errorf("%w: too many concurrent changes", ErrUnavailable)
}

// FirstAdmin makes user, who just installed caisbot in workspace w, its
// first admin, unless w already has admins of its own (a reinstall).
// Without a RoleStore it does nothing.
func (s *Service) FirstAdmin(ctx context.Context, w firm.Workspace, user, name string, at time.Time) error {
	if s.Roles == nil || user == "" {
		return nil
	}
	_, err := s.changeRoles(ctx, w, func(r Roles) RoleResult {
		if len(r.Admins) > 0 {
			return RoleResult{}
		}
		next := r.clone()
		next.Version = r.Version + 1
		next.Admins = []string{user}
		e := Entry{Action: ActInstallAdmin, Choice: string(RoleAdmin), Detail: user, User: user, Name: name, At: at.UTC(), Version: next.Version}
		return RoleResult{Next: &next, Entry: e}
	})
	return err
}
