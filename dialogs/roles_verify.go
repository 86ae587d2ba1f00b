package dialogs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/caisbot/caisbot/firm"
)

// ReplayRoles rebuilds the roles a roles log describes, from its entries
// alone, with the entries that make no sense where they stand.
func ReplayRoles(entries []Entry) (Roles, []string) {
	var r Roles
	var problems []string
	for _, e := range entries {
		role := Role(e.Choice)
		if role != RoleAdmin && role != RolePrincipal {
			problems = append(problems, fmt.Sprintf("entry %d names no role caisbot gives (%q)", e.Seq, e.Choice))
			continue
		}
		list := r.of(role)
		has := slices.Contains(*list, e.Detail)
		switch {
		case e.Action == ActRoleAdd || e.Action == ActInstallAdmin:
			if has {
				problems = append(problems, fmt.Sprintf("entry %d adds %s, who already had that role", e.Seq, e.Detail))
				break
			}
			*list = append(*list, e.Detail)
		case e.Action == ActRoleRemove:
			if !has {
				problems = append(problems, fmt.Sprintf("entry %d removes %s, who did not have that role", e.Seq, e.Detail))
			}
			*list = slices.DeleteFunc(*list, func(u string) bool { return u == e.Detail })
		default:
			problems = append(problems, fmt.Sprintf("entry %d is not a roles entry (%q)", e.Seq, e.Action))
		}
		r.Version, r.Seq, r.Head = e.Version, e.Seq, e.Hash
	}
	return r, problems
}

// rolesDifferences compares stored roles with the replayed ones.
func rolesDifferences(stored, replayed Roles) []string {
	var out []string
	same := func(a, b []string) bool {
		return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
	}
	if !same(stored.Admins, replayed.Admins) {
		out = append(out, fmt.Sprintf("the stored admins (%s) are not the ones the log records (%s)", strings.Join(stored.Admins, ", "), strings.Join(replayed.Admins, ", ")))
	}
	if !same(stored.Principals, replayed.Principals) {
		out = append(out, fmt.Sprintf("the stored principals (%s) are not the ones the log records (%s)", strings.Join(stored.Principals, ", "), strings.Join(replayed.Principals, ", ")))
	}
	if stored.Version != replayed.Version {
		out = append(out, fmt.Sprintf("the stored roles version is %d, the log's last entry made %d", stored.Version, replayed.Version))
	}
	return out
}

// verifyRoles adds the check of f's workspace's roles log to verify's
// reply r: its hash chain, and that the stored roles are what it records.
func (s *Service) verifyRoles(ctx context.Context, f firm.ID, r Reply) Reply {
	if s.Roles == nil {
		return r
	}
	stored, entries, err := s.Roles.RolesTrail(ctx, f.Space())
	if err != nil {
		_ = s.noteIntegrity("verify", err)
		r.text("⚠️ **Roles log of this workspace:** " + rolesReadProblem(err))
		return r
	}
	var problems []string
	if b := VerifyChain(entries, stored.Head); b != nil {
		problems = append(problems, fmt.Sprintf("its hash chain breaks at entry %d: %s", b.Seq, b.Reason))
	} else {
		replayed, odd := ReplayRoles(entries)
		problems = append(append(problems, odd...), rolesDifferences(stored, replayed)...)
	}
	if len(problems) > 0 {
		_ = s.noteIntegrity("verify", ErrIntegrity)
		r.Title = "⚠️ " + strings.TrimPrefix(strings.TrimPrefix(r.Title, "✅ "), "⚠️ ")
		r.text("⚠️ **Roles log of this workspace** (who is an admin or principal here) failed its check:\n• " + strings.Join(problems, "\n• ") + "\nKeep your exports and contact your administrator.")
		return r
	}
	switch len(entries) {
	case 0:
		r.context("Roles log of this workspace: empty (no admins or principals named here; the operator's lists apply).")
	default:
		r.context(fmt.Sprintf("Roles log of this workspace: %s intact and chained, and the roles are what it records. Latest hash: `%s`.", nouns(len(entries), "entry", "entries"), stored.Head))
	}
	return r
}

func rolesReadProblem(err error) string {
	var ie *IntegrityError
	if errors.As(err, &ie) {
		return "it cannot be read: " + ie.Problem + "."
	}
	return "caisbot could not read it just now; try `{cmd} verify` again in a minute."
}
