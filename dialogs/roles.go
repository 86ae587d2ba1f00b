package dialogs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caisbot/caisbot/firm"
)

// Roles per workspace. The operator's lists (Flow.Admins from
// CAIS_ADMIN_USERS, Flow.Principals from CAIS_PRINCIPALS) apply in every
// workspace; on top of them each workspace keeps the admins and
// principals its own admins named. Roles belong to a workspace while
// audit trails belong to firms (in channel scope, many per workspace), so
// role changes go to the workspace's own small roles log: hash-chained
// Entry values exactly like a firm's trail, checked by every firm's
// `verify` (roles_verify.go).

// Role is what a roles command changes.
type Role string

// Roles a workspace's admins give.
const (
	RoleAdmin     Role = "admin"
	RolePrincipal Role = "principal"
)

// Roles log actions. Choice is the role, Detail the user it is about.
const (
	ActRoleAdd    = "role_add"
	ActRoleRemove = "role_remove"
	// ActInstallAdmin: the user who installed caisbot in the workspace
	// became its first admin (Detail: that user, also the entry's User).
	ActInstallAdmin = "install_admin"
)

// Roles are one workspace's own admins and principals, with the end of
// its roles log (as Progress has for a firm's trail).
type Roles struct {
	// Version increases by one with every change; 0: never changed.
	Version    int64    `json:"v"`
	Admins     []string `json:"admins,omitempty"`
	Principals []string `json:"principals,omitempty"`
	Seq        int64    `json:"seq,omitempty"`
	Head       string   `json:"head,omitempty"`
}

// RoleStore keeps each workspace's roles and roles log. CommitRoles
// stores next and appends entry together if the stored version still
// equals expect, else returns ErrConflict and writes nothing.
type RoleStore interface {
	LoadRoles(ctx context.Context, w firm.Workspace) (Roles, error)
	CommitRoles(ctx context.Context, w firm.Workspace, expect int64, next Roles, entry Entry) error
	// RolesTrail reads the roles and the whole log together.
	RolesTrail(ctx context.Context, w firm.Workspace) (Roles, []Entry, error)
}

// of is the list of role r.
func (r *Roles) of(role Role) *[]string {
	if role == RoleAdmin {
		return &r.Admins
	}
	return &r.Principals
}

func (r Roles) clone() Roles {
	r.Admins, r.Principals = slices.Clone(r.Admins), slices.Clone(r.Principals)
	return r
}

// With is the flow as it applies in a workspace with roles r: the
// operator's lists and the workspace's together.
func (f *Flow) With(r Roles) *Flow {
	if len(r.Admins) == 0 && len(r.Principals) == 0 {
		return f
	}
	g := *f
	g.Admins = union(f.Admins, r.Admins)
	g.Principals = union(f.Principals, r.Principals)
	return &g
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, u := range b {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// operators is the operator's list of role.
func (f *Flow) operators(role Role) []string {
	if role == RoleAdmin {
		return f.Admins
	}
	return f.Principals
}

// RoleResult is a roles command's outcome; Next is nil when nothing changes.
type RoleResult struct {
	Next  *Roles
	Entry Entry
	Reply Reply
}

// roleWords names a role in replies.
func roleWords(role Role) (one, many, env string) {
	if role == RoleAdmin {
		return "an admin", "admins", "CAIS_ADMIN_USERS"
	}
	return "a principal", "principals", "CAIS_PRINCIPALS"
}

// ChangeRole adds (add) or removes user as role in a workspace with roles
// r, as ev's user asked. f is the operator's flow (without r). Only
// admins may; the last admin stays; the operator's lists are the
// operator's to change.
func (f *Flow) ChangeRole(r Roles, ev Event, role Role, add bool, user string) RoleResult {
	eff := f.With(r)
	one, many, env := roleWords(role)
	if !eff.isAdmin(ev.User) {
		return RoleResult{Reply: eff.refuse("add or remove " + many).Reply}
	}
	list := *r.of(role)
	who := Mention(user)
	switch {
	case add && slices.Contains(list, user):
		return RoleResult{Reply: Notice("Roles unchanged", who+" is already "+one+" of this workspace. Nothing was changed.")}
	case add && slices.Contains(f.operators(role), user):
		return RoleResult{Reply: Notice("Roles unchanged", who+" is already "+one+" everywhere: the operator lists them in "+env+". Nothing was changed.")}
	case !add && !slices.Contains(list, user) && slices.Contains(f.operators(role), user):
		return RoleResult{Reply: Notice("Roles unchanged", who+" is "+one+" because the operator lists them in "+env+"; only the operator can change that. Nothing was changed.")}
	case !add && !slices.Contains(list, user):
		return RoleResult{Reply: Notice("Roles unchanged", who+" is not "+one+" of this workspace. Nothing was changed.")}
	case !add && role == RoleAdmin && len(eff.Admins) == 1:
		return RoleResult{Reply: Notice("Roles unchanged", "You are the last admin of this workspace, so you cannot remove yourself: add another admin first (`{cmd} admins add @name`). Nothing was changed.")}
	}
	next := r.clone()
	next.Version = r.Version + 1
	e := Entry{Action: ActRoleAdd, Choice: string(role), Detail: user, User: ev.User, Name: ev.Name, At: ev.At.UTC(), Version: next.Version}
	reply := Notice("Roles changed", who+" is now "+one+" of this workspace.")
	if add {
		*next.of(role) = append(*next.of(role), user)
	} else {
		*next.of(role) = slices.DeleteFunc(*next.of(role), func(u string) bool { return u == user })
		e.Action = ActRoleRemove
		reply = Notice("Roles changed", who+" is no longer "+one+" of this workspace.")
		if role == RolePrincipal && len(eff.Principals) == 1 {
			reply.text("No principals are left, so from now on answers the roadmap marks for approval take effect without one. An answer already awaiting approval still waits for one: its confirmer can send it back, or an admin can withdraw it with `{cmd} undo`, and it can then be confirmed again.")
		}
	}
	reply.context("Recorded in this workspace's roles log; `{cmd} verify` checks it.")
	return RoleResult{Next: &next, Entry: e, Reply: reply}
}

// RolesReply lists role's holders in a workspace with roles r, and the
// latest changes of its roles log (log, oldest first).
func (f *Flow) RolesReply(r Roles, role Role, log []Entry, byOperator bool) Reply {
	one, many, env := roleWords(role)
	title := strings.ToUpper(many[:1]) + many[1:]
	out := Reply{Title: title + " of this workspace"}
	var lines []string
	for _, u := range *r.of(role) {
		lines = append(lines, "• "+Mention(u))
	}
	for _, u := range f.operators(role) {
		if !slices.Contains(*r.of(role), u) {
			lines = append(lines, "• "+Mention(u)+" (operator's list, "+env+")")
		}
	}
	if len(lines) == 0 {
		lines = append(lines, "None yet.")
	}
	out.text(strings.Join(lines, "\n"))
	if role == RolePrincipal {
		out.text("Principals approve the answers the roadmap marks for approval; with none, no answer needs approval.")
	}
	if len(log) > 0 {
		recent := log[max(0, len(log)-HistoryLen):]
		hist := make([]string, len(recent))
		for i, e := range recent {
			hist[i] = fmt.Sprintf("`#%d` %s — %s %s", e.Seq, f.Stamp(e.At), Mention(e.User), roleEntryText(e))
		}
		out.text("**Latest changes of the roles log**\n" + strings.Join(hist, "\n"))
	}
	if byOperator {
		out.context(fmt.Sprintf("Here the operator sets the %s (%s); a command does not change them.", many, env))
		return out
	}
	out.context(fmt.Sprintf("Admins add and remove %s: `{cmd} %s add @name`, `{cmd} %s remove @name`. Each change is an entry in this workspace's roles log, which `{cmd} verify` checks and `{cmd} %s export` sends you as CSV. Who is %s through %s is the operator's to change.", many, many, many, many, one, env))
	return out
}

// roleEntryText is a roles log entry in history's words.
func roleEntryText(e Entry) string {
	_, many, _ := roleWords(Role(e.Choice))
	switch e.Action {
	case ActInstallAdmin:
		return "installed caisbot in this workspace and became its first admin"
	case ActRoleAdd:
		return "added " + Mention(e.Detail) + " to the " + many
	case ActRoleRemove:
		return "removed " + Mention(e.Detail) + " from the " + many
	}
	return Lit(e.Action + " " + e.Detail)
}

// RoleUsage is the answer to a roles command that names no one or says
// neither add nor remove; typed is what came after the verb.
func RoleUsage(role Role, typed string) Reply {
	_, many, _ := roleWords(role)
	r := Notice("Roles unchanged", fmt.Sprintf("Usage: `{cmd} %s` lists them; `{cmd} %s add @name` and `{cmd} %s remove @name` change them (admins). Nothing was changed.", many, many, many))
	if typed != "" {
		r.text(fmt.Sprintf("“%s” is not an @-mention of one person. Type @ and pick the person from the list, so that caisbot learns who they are.", Lit(typed)))
	}
	return r
}

// RolesExport is the workspace's whole roles log as a CSV file, in the
// audit export's columns (so the same recipe rechecks its hash chain).
func (f *Flow) RolesExport(log []Entry, now time.Time) Reply {
	r := f.Export("roles log", log, now)
	day := now.In(f.Loc).Format(time.DateOnly)
	r.Title = "Roles log export"
	r.Parts = nil
	r.File.Name, r.File.Title = "cais-roles-log-"+day+".csv", "CAIS roles log — "+day
	r.text("This workspace's roles log (" + nouns(len(log), "entry", "entries") + ", with its SHA-256 hash chain) is sent to you as `" + r.File.Name + "`.")
	return r
}
