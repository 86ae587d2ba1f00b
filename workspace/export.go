package workspace

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/install"
	"github.com/caisbot/caisbot/store"
)

// Store is what the operator's commands read and delete (store.Redis).
type Store interface {
	Firms(ctx context.Context) ([]firm.ID, error)
	Trail(ctx context.Context, f firm.ID) (dialogs.Progress, []dialogs.Entry, error)
	RoadmapText(ctx context.Context, sum string) (text []byte, found bool, err error)
	RolesTrail(ctx context.Context, w firm.Workspace) (dialogs.Roles, []dialogs.Entry, error)
	WorkspaceKeys(ctx context.Context, team string) (store.WorkspaceData, error)
	DeleteWorkspace(ctx context.Context, d store.WorkspaceData) (int64, error)
	install.Backend
}

// ExportFormat names the export's layout; a change to it gets a new one.
const ExportFormat = "caisbot-workspace-export/1"

// Export is one Slack workspace's data as `caisbot workspace export`
// writes it: every firm's progress and full audit trail, the workspace's
// roles and roles log, the roadmap texts the entries name, and the
// installation without its tokens.
type Export struct {
	Format     string    `json:"format"`
	Team       string    `json:"team"`
	ExportedAt time.Time `json:"exported_at"`
	// Installation is the workspace's own; Enterprise the org-wide one
	// that served it (Enterprise Grid). Tokens are never exported.
	Installation *install.Summary `json:"installation"`
	Enterprise   *install.Summary `json:"enterprise_installation,omitempty"`
	Firms        []FirmData       `json:"firms"`
	Roles        RolesData        `json:"roles"`
	Roadmaps     []Roadmap        `json:"roadmaps"`
}

// FirmData is one firm: its progress and every audit entry, oldest
// first, as stored (README "Audit trail" says how to recompute the hashes).
type FirmData struct {
	Firm     string           `json:"firm"`
	Progress dialogs.Progress `json:"progress"`
	Audit    []dialogs.Entry  `json:"audit"`
	// ChainIntact says whether the entries' hash chain verified at export.
	ChainIntact bool `json:"chain_intact"`
}

// Roadmap is a roadmap text an entry names (its "roadmap" field), byte
// for byte; Missing when Redis does not hold it.
type Roadmap struct {
	Ref     string `json:"ref"`
	Text    string `json:"text,omitempty"`
	Missing bool   `json:"missing,omitempty"`
}

// RolesData is the workspace's admins and principals and their log
// (dialogs' roles log, hash-chained like a firm's trail).
type RolesData struct {
	Roles       dialogs.Roles   `json:"roles"`
	Log         []dialogs.Entry `json:"log"`
	ChainIntact bool            `json:"chain_intact"`
}

// TeamKey checks a workspace id as the operator typed it.
func TeamKey(team string) (install.Key, error) {
	k, err := install.TeamKey(team)
	if err != nil {
		return install.Key{}, fmt.Errorf("%q is not a Slack workspace id (like T0123ABCD)", team)
	}
	return k, nil
}

// Collect reads workspace team's data.
func Collect(ctx context.Context, st Store, team string, now time.Time) (Export, error) {
	k, err := TeamKey(team)
	if err != nil {
		return Export{}, err
	}
	x := Export{Format: ExportFormat, Team: team, ExportedAt: now.UTC(), Firms: []FirmData{}, Roadmaps: []Roadmap{}}
	if x.Installation, err = summary(ctx, st, k); err != nil {
		return Export{}, err
	}
	if ent, found, err := install.LinkedEnterprise(ctx, st, team); err != nil {
		return Export{}, err
	} else if ek, kerr := install.EnterpriseKey(ent); found && kerr == nil {
		if x.Enterprise, err = summary(ctx, st, ek); err != nil {
			return Export{}, err
		}
	}
	firms, err := st.Firms(ctx)
	if err != nil {
		return Export{}, err
	}
	refs := map[string]bool{}
	for _, f := range firms {
		if f.Platform != firm.Slack || f.Workspace != team {
			continue
		}
		p, entries, err := st.Trail(ctx, f)
		if err != nil {
			return Export{}, fmt.Errorf("%s: %w", f, err)
		}
		for _, e := range entries {
			refs[e.Roadmap] = e.Roadmap != ""
		}
		x.Firms = append(x.Firms, FirmData{Firm: f.String(), Progress: p, Audit: entries, ChainIntact: dialogs.VerifyChain(entries, p.Head) == nil})
	}
	r, log, err := st.RolesTrail(ctx, firm.Workspace{Platform: firm.Slack, ID: team})
	if err != nil {
		return Export{}, fmt.Errorf("roles: %w", err)
	}
	x.Roles = RolesData{Roles: r, Log: log, ChainIntact: dialogs.VerifyChain(log, r.Head) == nil}
	x.Roadmaps, err = roadmaps(ctx, st, refs)
	return x, err
}

func summary(ctx context.Context, st Store, k install.Key) (*install.Summary, error) {
	s, found, err := install.Describe(ctx, st, k)
	if err != nil || !found {
		return nil, err
	}
	return &s, nil
}

// roadmaps reads the texts the refs name, sorted by ref.
func roadmaps(ctx context.Context, st Store, refs map[string]bool) ([]Roadmap, error) {
	out := []Roadmap{}
	for ref, named := range refs {
		if !named {
			continue
		}
		r := Roadmap{Ref: ref, Missing: true}
		if _, sum, ok := dialogs.SplitRoadmapRef(ref); ok {
			text, found, err := st.RoadmapText(ctx, sum)
			if err != nil {
				return nil, err
			}
			r.Text, r.Missing = string(text), !found
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Roadmap) int { return strings.Compare(a.Ref, b.Ref) })
	return out, nil
}
