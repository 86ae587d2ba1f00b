package dialogs

import (
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/caisbot/caisbot/firm"
)

// memRoles is an in-memory RoleStore with the store's compare-and-set
// contract.
type memRoles struct {
	mu    sync.Mutex
	roles map[firm.Workspace]Roles
	log   map[firm.Workspace][]Entry
}

func newMemRoles() *memRoles {
	return &memRoles{roles: map[firm.Workspace]Roles{}, log: map[firm.Workspace][]Entry{}}
}

func (m *memRoles) LoadRoles(_ context.Context, w firm.Workspace) (Roles, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.roles[w].clone(), nil
}

func (m *memRoles) CommitRoles(_ context.Context, w firm.Workspace, expect int64, next Roles, e Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.roles[w].Version != expect {
		return ErrConflict
	}
	m.roles[w] = next.clone()
	m.log[w] = append(m.log[w], e)
	return nil
}

func (m *memRoles) RolesTrail(_ context.Context, w firm.Workspace) (Roles, []Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.roles[w].clone(), slices.Clone(m.log[w]), nil
}

const (
	installer = "UINSTALL"
	erin      = "UERIN"
)

// newRolesService is newService with no operator's admins and a roles
// store in which installer installed caisbot in testFirm's workspace.
func newRolesService(t *testing.T) (*Service, *memStore, *memRoles) {
	t.Helper()
	s, m := newService(t)
	s.Flow.Admins = nil
	roles := newMemRoles()
	s.Roles = roles
	if err := s.FirstAdmin(context.Background(), testFirm.Space(), installer, "Ina", t0); err != nil {
		t.Fatal(err)
	}
	return s, m, roles
}

// roleCmd runs a roles command as user, naming who as the platform
// resolved the mention.
func roleCmd(t *testing.T, s *Service, f firm.ID, user, text, who string) Reply {
	t.Helper()
	cmd := ParseCommand(text)
	cmd.User = who
	r, err := s.Command(context.Background(), f, Event{User: user, Channel: "C1", At: t0}, cmd)
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	return r
}

func TestInstallerIsTheFirstAdminAndAReinstallChangesNothing(t *testing.T) {
	s, _, roles := newRolesService(t)
	if err := s.FirstAdmin(context.Background(), testFirm.Space(), "UOTHER", "", t0); err != nil {
		t.Fatal(err)
	}
	r, log, _ := roles.RolesTrail(context.Background(), testFirm.Space())
	if !slices.Equal(r.Admins, []string{installer}) || len(log) != 1 || log[0].Action != ActInstallAdmin || log[0].User != installer {
		t.Fatalf("roles %+v, log %+v", r, log)
	}
	walk(t, s, "Yes")
	if got := body(command(t, s, installer, "undo")); !strings.Contains(got, "Undone") && !strings.Contains(got, "Step 1") {
		t.Errorf("the installer could not undo:\n%s", got)
	}
	if got := body(command(t, s, "U1", "undo")); !strings.Contains(got, "Only admins can undo a confirmation: @{"+installer+"}") {
		t.Errorf("a non-admin's refusal does not name the installer:\n%s", got)
	}
}

func TestAdminsAddAndRemove(t *testing.T) {
	s, m, roles := newRolesService(t)
	ws := testFirm.Space()
	if got := body(roleCmd(t, s, testFirm, "U1", "admins add <@UERIN>", erin)); !strings.Contains(got, "Only admins can add or remove admins: @{"+installer+"}") {
		t.Fatalf("a non-admin added an admin:\n%s", got)
	}
	if got := body(roleCmd(t, s, testFirm, installer, "admins add x", erin)); !strings.Contains(got, "is now an admin") {
		t.Fatalf("add:\n%s", got)
	}
	if got := body(roleCmd(t, s, testFirm, installer, "admins add x", erin)); !strings.Contains(got, "already an admin") {
		t.Errorf("second add:\n%s", got)
	}
	// Erin can now set a target date, which only admins may.
	if got := body(command(t, s, erin, "deadline 2 2027-01-15")); strings.Contains(got, "Only admins") || len(trail(m)) != 1 {
		t.Errorf("the new admin was refused:\n%s", got)
	}
	if got := body(roleCmd(t, s, testFirm, erin, "admins remove x", installer)); !strings.Contains(got, "no longer an admin") {
		t.Fatalf("remove:\n%s", got)
	}
	if got := body(roleCmd(t, s, testFirm, erin, "admins remove x", erin)); !strings.Contains(got, "You are the last admin") {
		t.Errorf("the last admin removed themselves:\n%s", got)
	}
	r, log, _ := roles.RolesTrail(context.Background(), ws)
	acts := []string{}
	for _, e := range log {
		acts = append(acts, e.Action+" "+e.Choice+" "+e.Detail+" by "+e.User)
	}
	want := []string{"install_admin admin UINSTALL by UINSTALL", "role_add admin UERIN by UINSTALL", "role_remove admin UINSTALL by UERIN"}
	if !slices.Equal(acts, want) || !slices.Equal(r.Admins, []string{erin}) {
		t.Errorf("log %q, admins %v; want %q", acts, r.Admins, want)
	}
	if b := VerifyChain(log, r.Head); b != nil {
		t.Errorf("roles log chain: %v", b)
	}
	list := body(roleCmd(t, s, testFirm, "U1", "admins", ""))
	for _, w := range []string{"@{UERIN}", "removed @{UINSTALL} from the admins", "installed caisbot"} {
		if !strings.Contains(list, w) {
			t.Errorf("listing lacks %q:\n%s", w, list)
		}
	}
}

func TestRolesCommandsThatChangeNothing(t *testing.T) {
	cases := []struct{ name, text, who, want string }{
		{"no mention", "admins add bob", "", "is not an @-mention of one person"},
		{"no verb", "admins promote", "", "Usage: `{cmd} admins` lists them"},
		{"no one", "principals add", "", "Usage: `{cmd} principals` lists them"},
		{"operator's admin", "admins remove x", "UOPS", "the operator lists them in CAIS_ADMIN_USERS"},
		{"operator's admin added", "admins add x", "UOPS", "already an admin everywhere"},
		{"not a principal", "principals remove x", erin, "is not a principal of this workspace"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _, roles := newRolesService(t)
			s.Flow.Admins = []string{"UOPS"}
			got := body(roleCmd(t, s, testFirm, installer, c.text, c.who))
			if !strings.Contains(got, c.want) || !strings.Contains(got, "Nothing was changed") {
				t.Errorf("%q:\n%s\nwant %q", c.text, got, c.want)
			}
			if _, log, _ := roles.RolesTrail(context.Background(), testFirm.Space()); len(log) != 1 {
				t.Errorf("the roles log grew to %d", len(log))
			}
		})
	}
}

func TestWorkspacePrincipalApproves(t *testing.T) {
	s, m, _ := newRolesService(t)
	roleCmd(t, s, testFirm, installer, "principals add x", dave)
	card := press(t, s, toMethod(t, s), "CAT Reporting Agent", "U1", "Acme Clearing LLC")
	if !hasLabel(card, "Approve") {
		t.Fatalf("with a workspace principal, the answer did not await approval: %v", labels(card))
	}
	press(t, s, card, "Approve", dave, "")
	if e := lastEntry(m); e.Action != ActApprove || e.User != dave {
		t.Errorf("last entry %+v, want Dave's approval", e)
	}
	got := body(roleCmd(t, s, testFirm, installer, "principals remove x", dave))
	if !strings.Contains(got, "No principals are left") || !strings.Contains(got, "An answer already awaiting approval still waits for one") {
		t.Errorf("removing the last principal does not say what follows:\n%s", got)
	}
}

func TestRolesStayInTheirWorkspace(t *testing.T) {
	s, _, _ := newRolesService(t)
	other := firm.ID{Platform: firm.Slack, Workspace: "T2"}
	if got := body(roleCmd(t, s, other, installer, "admins add x", erin)); !strings.Contains(got, "no admins are configured") {
		t.Errorf("the installer of F1 acted as an admin of T2:\n%s", got)
	}
}

func TestVerifyChecksTheRolesLog(t *testing.T) {
	tamper := []struct {
		name string
		do   func(m *memRoles, w firm.Workspace)
		want string
	}{
		{"edited entry", func(m *memRoles, w firm.Workspace) { m.log[w][1].Detail = "UMALLORY" }, "hash chain breaks at entry 2"},
		{"stored roles changed", func(m *memRoles, w firm.Workspace) {
			r := m.roles[w]
			r.Admins = append(r.Admins, "UMALLORY")
			m.roles[w] = r
		}, "the stored admins (UINSTALL, UERIN, UMALLORY) are not the ones the log records"},
	}
	for _, c := range tamper {
		t.Run(c.name, func(t *testing.T) {
			s, _, roles := newRolesService(t)
			var hits int
			s.OnIntegrity = func(string) { hits++ }
			roleCmd(t, s, testFirm, installer, "admins add x", erin)
			if got := body(command(t, s, "U1", "verify")); !strings.Contains(got, "Roles log of this workspace: 2 entries intact") {
				t.Fatalf("verify of an intact roles log:\n%s", got)
			}
			c.do(roles, testFirm.Space())
			got := body(command(t, s, "U1", "verify"))
			if !strings.Contains(got, "⚠️") || !strings.Contains(got, c.want) || hits != 1 {
				t.Errorf("verify after tampering (%d integrity hits):\n%s\nwant %q", hits, got, c.want)
			}
		})
	}
}

func TestReplayRolesFlagsEntriesThatMakeNoSense(t *testing.T) {
	entries := []Entry{
		{Seq: 1, Action: ActRoleRemove, Choice: "admin", Detail: "UX"},
		{Seq: 2, Action: ActRoleAdd, Choice: "owner", Detail: "UY"},
		{Seq: 3, Action: ActConfirm, Choice: "admin"},
	}
	_, problems := ReplayRoles(entries)
	if len(problems) != 3 {
		t.Errorf("problems %q, want 3", problems)
	}
}

func TestRolesExportIsTheLogAsCSV(t *testing.T) {
	s, _, _ := newRolesService(t)
	roleCmd(t, s, testFirm, installer, "principals add x", dave)
	r := roleCmd(t, s, testFirm, "U1", "principals export", "")
	if r.File == nil || !strings.HasPrefix(r.File.Name, "cais-roles-log-") {
		t.Fatalf("export: %+v", r)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.File.Content))).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][4] != ActInstallAdmin || rows[2][4] != ActRoleAdd || rows[2][7] != "principal" || rows[2][8] != dave {
		t.Fatalf("CSV (%v): %q", err, rows)
	}
	if rows[2][12] != rows[1][13] {
		t.Errorf("row 2's prev_hash %q is not row 1's hash %q", rows[2][12], rows[1][13])
	}
}

// FuzzRolesCommand: any text and any resolved person, from an admin or
// not: no panic, no error, and the roles log grows only for an admin's
// add or remove that names someone, by one entry that chains.
func FuzzRolesCommand(f *testing.F) {
	for _, s := range []string{"admins add x", "principals remove x", "admins", "admins export", "ADMINS Add", "principals add", "admins add \xff"} {
		f.Add(s, erin, true)
		f.Add(s, "", false)
	}
	f.Fuzz(func(t *testing.T, text, who string, asAdmin bool) {
		s, _, roles := newRolesService(t)
		cmd := ParseCommand(text)
		cmd.User = who
		user := "U1"
		if asAdmin {
			user = installer
		}
		if _, err := s.Command(context.Background(), testFirm, Event{User: user, At: t0}, cmd); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		r, log, _ := roles.RolesTrail(context.Background(), testFirm.Space())
		verb := ""
		if len(cmd.Args) > 0 {
			verb = strings.ToLower(cmd.Args[0])
		}
		changes := (cmd.Name == CmdAdmins || cmd.Name == CmdPrincipals) && asAdmin && who != "" && (verb == "add" || verb == "remove")
		if len(log) > 2 || len(log) == 2 && !changes {
			t.Fatalf("%q (%q, admin %v) wrote %d entries", text, who, asAdmin, len(log))
		}
		if b := VerifyChain(log, r.Head); b != nil {
			t.Fatalf("chain: %v", b)
		}
	})
}
