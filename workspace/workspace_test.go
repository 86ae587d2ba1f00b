package workspace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/install"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
	"github.com/caisbot/caisbot/workspace"
)

// rig is a store holding firms of several workspaces, with the service
// that writes them and the installation store.
type rig struct {
	st       *store.Redis
	svc      *dialogs.Service
	installs *install.Store
	logs     *bytes.Buffer
	now      time.Time
}

func newRig(t *testing.T) *rig {
	t.Helper()
	c, prefix := redistest.New(t)
	st := store.New(c, prefix)
	installs, err := install.NewStore(st, bytes.Repeat([]byte{6}, 32))
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("America/New_York")
	r := &rig{st: st, installs: installs, logs: &bytes.Buffer{}, now: time.Date(2027, 5, 5, 16, 0, 0, 0, time.UTC)}
	svc, err := dialogs.NewService(&dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{"U1"}, Loc: loc}, st, func() time.Time { return r.now })
	if err != nil {
		t.Fatal(err)
	}
	r.svc = svc
	if _, _, err := st.KeepRoadmap(context.Background(), dialogs.Default().Text()); err != nil {
		t.Fatal(err)
	}
	return r
}

// subscribe makes firm key ("T1" or "T1:C1") subscribe its channel.
func (r *rig) subscribe(t *testing.T, key string) firm.ID {
	t.Helper()
	ws, ch, _ := strings.Cut(key, ":")
	f := firm.ID{Platform: firm.Slack, Workspace: ws, Channel: ch}
	if _, err := r.svc.Command(context.Background(), f, dialogs.Event{User: "U1", Channel: "C" + ws, At: r.now}, dialogs.ParseCommand("announce")); err != nil {
		t.Fatal(err)
	}
	return f
}

func (r *rig) install(t *testing.T, in install.Installation) {
	t.Helper()
	in.InstalledAt = r.now.Add(-time.Hour)
	if err := r.installs.Save(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) env() workspace.Env {
	return workspace.Env{Store: r.st, Log: slog.New(slog.NewJSONHandler(r.logs, nil)), Now: func() time.Time { return r.now }}
}

func (r *rig) paused(t *testing.T, f firm.ID) bool {
	t.Helper()
	p, err := r.st.Load(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Channels {
		return !s.Paused.IsZero()
	}
	t.Fatalf("%s has no subscription", f)
	return false
}

// TestOrgWideUninstallPausesTheOrgsWorkspaces: removing an org-wide
// install pauses the workspaces it served, not one with its own install
// nor one of another organization.
func TestOrgWideUninstallPausesTheOrgsWorkspaces(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.install(t, install.Installation{EnterpriseID: "E1", IsEnterpriseInstall: true, BotToken: "xoxb-org", BotUserID: "UBOT"})
	r.install(t, install.Installation{TeamID: "T3", EnterpriseID: "E1", BotToken: "xoxb-own", BotUserID: "UBOT3"})
	r.install(t, install.Installation{EnterpriseID: "E2", IsEnterpriseInstall: true, BotToken: "xoxb-org2", BotUserID: "UBOT"})
	for _, link := range []struct{ team, ent string }{{"T1", "E1"}, {"T2", "E1"}, {"T3", "E1"}, {"T4", "E2"}} {
		if _, err := r.installs.Find(ctx, link.team, link.ent); err != nil { // a request leaves the link
			t.Fatal(err)
		}
	}
	t1, t2, t3, t4 := r.subscribe(t, "T1"), r.subscribe(t, "T2:C1"), r.subscribe(t, "T3"), r.subscribe(t, "T4")
	life := &workspace.Lifecycle{Installs: r.installs, Records: r.st, Announcements: r.svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	key, _ := install.EnterpriseKey("E1")
	out, err := life.Removed(ctx, install.Removal{Key: key, At: r.now, Reason: "app_uninstalled"})
	if err != nil || out != install.RemovedNow {
		t.Fatalf("Removed = %v, %v", out, err)
	}
	for f, want := range map[firm.ID]bool{t1: true, t2: true, t3: false, t4: false} {
		if got := r.paused(t, f); got != want {
			t.Errorf("%s paused %v; want %v", f, got, want)
		}
	}
	r.now = r.now.Add(time.Hour)
	r.install(t, install.Installation{EnterpriseID: "E1", IsEnterpriseInstall: true, BotToken: "xoxb-org-new", BotUserID: "UBOT"})
	in, _ := r.installs.Get(ctx, key)
	if err := life.Installed(ctx, in); err != nil {
		t.Fatal(err)
	}
	for _, f := range []firm.ID{t1, t2, t3, t4} {
		if r.paused(t, f) {
			t.Errorf("%s still paused after the reinstall", f)
		}
	}
}

func TestExportHasOneWorkspaceAndNoToken(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.install(t, install.Installation{TeamID: "T1", TeamName: "Acme", BotToken: "xoxb-secret-acme", RefreshToken: "xoxe-1-secret", BotUserID: "UBOT", InstallerID: "U1", ExpiresAt: r.now.Add(time.Hour)})
	r.install(t, install.Installation{TeamID: "T12", BotToken: "xoxb-secret-other", BotUserID: "UBOT"})
	r.subscribe(t, "T1:C1")
	r.subscribe(t, "T1:C2")
	r.subscribe(t, "T12:C1")
	if _, err := r.svc.Command(ctx, firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: "C1"}, dialogs.Event{User: "U1", Channel: "C1", At: r.now},
		dialogs.ParseCommand("deadline 6A 2027-06-05")); err != nil {
		t.Fatal(err)
	}
	r.svc.Roles = r.st
	if err := r.svc.FirstAdmin(ctx, firm.Workspace{Platform: firm.Slack, ID: "T1"}, "U1", "Ann", r.now); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "acme.json")
	var stdout, stderr bytes.Buffer
	if code := workspace.Command(ctx, []string{"export", "T1", "--out", out}, r.env(), &stdout, &stderr); code != 0 {
		t.Fatalf("export: %d %s", code, stderr.String())
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"xoxb-secret", "xoxe-1-secret", "T12"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the export holds %q", secret)
		}
	}
	var x workspace.Export
	if err := json.Unmarshal(raw, &x); err != nil {
		t.Fatal(err)
	}
	if x.Format != workspace.ExportFormat || x.Team != "T1" || len(x.Firms) != 2 || x.Installation == nil || !x.Installation.HasToken ||
		!x.Installation.Rotating || x.Installation.InstallerID != "U1" || len(x.Roadmaps) != 1 || x.Roadmaps[0].Missing ||
		x.Roadmaps[0].Text != string(dialogs.Default().Text()) {
		t.Fatalf("export = %+v", x)
	}
	if len(x.Roles.Log) != 1 || !x.Roles.ChainIntact || len(x.Roles.Roles.Admins) != 1 || x.Roles.Roles.Admins[0] != "U1" {
		t.Fatalf("the export's roles = %+v", x.Roles)
	}
	c1 := x.Firms[0]
	if c1.Firm != "slack/T1:C1" || len(c1.Audit) != 2 || !c1.ChainIntact || len(c1.Progress.Targets) != 1 {
		t.Fatalf("firm T1:C1 = %+v", c1)
	}
	if !strings.Contains(stdout.String(), "2 firms, 3 audit entries, 1 roadmap texts") || !strings.Contains(r.logs.String(), `"msg":"workspace exported"`) {
		t.Fatalf("stdout %q, log %q", stdout.String(), r.logs.String())
	}
	if code := workspace.Command(ctx, []string{"export", "T1", "--out", out}, r.env(), &stdout, &stderr); code != 1 {
		t.Fatalf("a second export over the file: %d; want a refusal", code)
	}
	// A mistyped id exports nothing and says so, with a failing exit.
	nope := filepath.Join(t.TempDir(), "nope.json")
	stderr.Reset()
	if code := workspace.Command(ctx, []string{"export", "TNOPE", "--out", nope}, r.env(), &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "nothing is stored for workspace TNOPE here") {
		t.Fatalf("export of an unknown team: %d %q", code, stderr.String())
	}
	if _, err := os.Stat(nope); err == nil {
		t.Error("an export of nothing wrote a file")
	}
}

func TestDeleteNeedsYesAndTakesOneWorkspace(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.install(t, install.Installation{TeamID: "T1", BotToken: "xoxb-1", BotUserID: "UBOT"})
	r.install(t, install.Installation{TeamID: "T12", BotToken: "xoxb-12", BotUserID: "UBOT"})
	t1, t12 := r.subscribe(t, "T1:C1"), r.subscribe(t, "T12:C1")
	r.svc.Roles = r.st
	if err := r.svc.FirstAdmin(ctx, firm.Workspace{Platform: firm.Slack, ID: "T1"}, "U1", "Ann", r.now); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := workspace.Command(ctx, []string{"delete", "T1"}, r.env(), &stdout, &stderr); code != 2 || !strings.Contains(stdout.String(), "would delete workspace T1: 1 firm(s) (T1:C1)") ||
		!strings.Contains(stdout.String(), "may have to retain") || strings.Count(stdout.String(), "the workspace's roles (its admins and principals) and their hash-chained roles log") != 1 {
		t.Fatalf("delete without --yes: %d %q", code, stdout.String())
	}
	if p, _ := r.st.Load(ctx, t1); p.Version == 0 {
		t.Fatal("delete without --yes deleted the firm")
	}
	stdout.Reset()
	if code := workspace.Command(ctx, []string{"delete", "--yes", "T1"}, r.env(), &stdout, &stderr); code != 0 {
		t.Fatalf("delete: %d %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "deleted workspace T1") || !strings.Contains(stdout.String(), "still installed") ||
		!strings.Contains(r.logs.String(), `"msg":"workspace deleted","team":"T1"`) {
		t.Fatalf("stdout %q, log %q", stdout.String(), r.logs.String())
	}
	if p, _ := r.st.Load(ctx, t1); p.Version != 0 {
		t.Fatal("T1's firm survived")
	}
	if _, err := r.installs.Find(ctx, "T1", ""); err == nil {
		t.Fatal("T1's installation survived")
	}
	if p, _ := r.st.Load(ctx, t12); p.Version == 0 || len(p.Channels) != 1 {
		t.Fatal("T12's firm was touched")
	}
	if _, err := r.installs.Find(ctx, "T12", ""); err != nil {
		t.Fatalf("T12's installation: %v", err)
	}
	stdout.Reset()
	if code := workspace.Command(ctx, []string{"delete", "T1", "--yes"}, r.env(), &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "nothing is stored") {
		t.Fatalf("delete again: %d %q", code, stdout.String())
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args []string
		want string // "op team out yes", or "error"
	}{
		{[]string{"export", "T1"}, "export T1  false"},
		{[]string{"export", "T1", "--out", "x.json"}, "export T1 x.json false"},
		{[]string{"--out=x.json", "export", "T1"}, "export T1 x.json false"},
		{[]string{"delete", "T1", "--yes"}, "delete T1  true"},
		{[]string{"delete", "-yes", "T0ABC"}, "delete T0ABC  true"},
		{[]string{"delete", "T1"}, "delete T1  false"},
		{nil, "error"},
		{[]string{"export"}, "error"},
		{[]string{"export", "t1"}, "error"},
		{[]string{"export", "T1:C1"}, "error"},
		{[]string{"export", "T1", "T2"}, "error"},
		{[]string{"purge", "T1"}, "error"},
		{[]string{"export", "T1", "--yes"}, "error"},
		{[]string{"delete", "T1", "--out", "x"}, "error"},
		{[]string{"delete", "T1", "--yes", "--yes"}, "error"},
		{[]string{"delete", "T1", "--yes=false"}, "error"},
		{[]string{"export", "T1", "--out"}, "error"},
		{[]string{"export", "T1", "--out="}, "error"},
		{[]string{"export", "T1", "--force"}, "error"},
	}
	for _, tc := range tests {
		a, err := workspace.ParseArgs(tc.args)
		got := "error"
		if err == nil {
			got = strings.Join([]string{a.Op, a.Team, a.Out, map[bool]string{true: "true", false: "false"}[a.Yes]}, " ")
		}
		if got != tc.want {
			t.Errorf("ParseArgs(%q) = %q (%v); want %q", tc.args, got, err, tc.want)
		}
	}
}

func FuzzParseArgs(f *testing.F) {
	f.Add("delete\x00T1\x00--yes")
	f.Add("export\x00T1\x00--out\x00x.json")
	f.Fuzz(func(t *testing.T, joined string) {
		a, err := workspace.ParseArgs(strings.Split(joined, "\x00"))
		if err != nil {
			return
		}
		if _, kerr := workspace.TeamKey(a.Team); kerr != nil || a.Op != "export" && a.Op != "delete" || a.Op == "export" && a.Yes || a.Op == "delete" && a.Out != "" {
			t.Fatalf("accepted %+v", a)
		}
	})
}
