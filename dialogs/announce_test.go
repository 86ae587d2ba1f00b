package dialogs_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

var annNY, _ = time.LoadLocation("America/New_York")

func annFlow() *dialogs.Flow {
	return &dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{"UADMIN"}, Loc: annNY}
}

// at builds progress standing on cur after confirming steps in order.
func at(cur string, confirmed ...string) dialogs.Progress {
	p := dialogs.Progress{Version: int64(len(confirmed)), Current: cur}
	for _, s := range confirmed {
		p.Path = append(p.Path, dialogs.Confirmation{Step: s, Choice: "done", User: "U1"})
	}
	return p
}

func target(step, day string) dialogs.Deadline {
	d, _ := time.ParseInLocation(time.DateOnly, day, annNY)
	return dialogs.Deadline{ID: "target:" + step, Label: "Your target", Day: d, Steps: []string{step}, Kind: "deadline"}
}

func roadmapDate(t *testing.T, f *dialogs.Flow, id string) dialogs.Deadline {
	t.Helper()
	d, ok := f.Roadmap.Date(id)
	if !ok {
		t.Fatalf("no roadmap date %q", id)
	}
	day, _ := time.ParseInLocation(time.DateOnly, d.Date, annNY)
	return dialogs.Deadline{ID: d.ID, Label: d.Label, Day: day, Steps: d.Steps, Kind: d.Kind}
}

var (
	agentPath = []string{"obligation", "register", "test_entitlements", "method", "relationship_test"}
	selfPath  = []string{"obligation", "register", "test_entitlements", "method"}
)

func TestFinished(t *testing.T) {
	f := annFlow()
	tests := []struct {
		name string
		p    dialogs.Progress
		d    dialogs.Deadline
		want bool
	}{
		{"new firm, target ahead", at(""), target("certify_self", "2027-06-05"), false},
		{"new firm, roadmap deadline", at(""), roadmapDate(t, f, "cert_request"), false},
		{"no obligation outcome", at("no_obligation", "obligation"), target("register", "2027-06-05"), true},
		{"complete", at("complete", append(agentPath, "certify_agent_request", "prod_entitlements", "relationship_prod")...), target("relationship_prod", "2027-06-05"), true},
		{"confirmed step", at("method", "obligation", "register", "test_entitlements"), target("register", "2027-06-05"), true},
		{"current step", at("register", "obligation"), target("register", "2027-06-05"), false},
		{"one of two steps confirmed", at("prod_entitlements", append(agentPath, "certify_agent_request")...), roadmapDate(t, f, "cert_request"), true},
		{"other branch still open", at("prod_entitlements", append(agentPath, "certify_agent_request")...), roadmapDate(t, f, "full_compliance"), false},
		{"step on a branch not taken", at("certify_self", selfPath...), target("relationship_test", "2027-06-05"), true},
		{"reopened step is open again", at("obligation", "obligation", "no_obligation"), target("obligation", "2027-06-05"), false},
		{"deadline without steps", at("method", "obligation"), dialogs.Deadline{ID: "x", Kind: "deadline"}, false},
	}
	for _, tt := range tests {
		if got := f.Finished(tt.p, tt.d); got != tt.want {
			t.Errorf("%s: Finished = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAnnouncedLeavesOutMilestonesAndFinished(t *testing.T) {
	f := annFlow()
	p := at("prod_entitlements", append(agentPath, "certify_agent_request")...)
	p.Targets = map[string]string{"relationship_prod": "2027-06-05", "register": "2027-06-01"}
	var ids []string
	for _, d := range f.Announced(p) {
		ids = append(ids, d.ID)
	}
	if got := strings.Join(ids, ","); got != "full_compliance,target:relationship_prod" {
		t.Fatalf("Announced = %s; want the open roadmap deadline and the open target only", got)
	}
}

func TestOpenSteps(t *testing.T) {
	f := annFlow()
	tests := []struct {
		name string
		p    dialogs.Progress
		want string
	}{
		{"new firm", at(""), "obligation,register,test_entitlements,method,relationship_test,certify_self,certify_agent_request,certify_agent_requested,certify_agent_finra,prod_entitlements,relationship_prod"},
		{"choosing a method", at("method", "obligation", "register", "test_entitlements"), "method,relationship_test,certify_self,certify_agent_request,certify_agent_requested,certify_agent_finra,prod_entitlements,relationship_prod"},
		{"self-reporting", at("certify_self", selfPath...), "certify_self"},
		{"agent path", at("prod_entitlements", append(agentPath, "certify_agent_request")...), "prod_entitlements,relationship_prod"},
		{"outcome", at("complete"), ""},
	}
	for _, tt := range tests {
		var ids []string
		for _, s := range f.OpenSteps(tt.p) {
			ids = append(ids, s.ID)
		}
		if got := strings.Join(ids, ","); got != tt.want {
			t.Errorf("%s: OpenSteps = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func annText(r dialogs.Reply) string {
	s := r.Title
	for _, p := range r.Parts {
		s += "\n" + p.Text
	}
	return s
}

func TestAnnouncementReply(t *testing.T) {
	f := annFlow()
	p := at("method", "obligation", "register", "test_entitlements")
	p.Version = 7
	var d dialogs.Deadline
	for _, x := range f.Deadlines(dialogs.Progress{Targets: map[string]string{"certify_self": "2027-06-05"}}) {
		if x.ID == "target:certify_self" {
			d = x
		}
	}
	tests := []struct {
		now  string
		want []string
	}{
		{"2027-05-06T09:00:00-04:00", []string{"30 days left: your target for Step 6\n", "is **June 5, 2027** — 30 days left."}},
		{"2027-06-04T09:00:00-04:00", []string{"Due tomorrow: your target for Step 6\n", "is **June 5, 2027** — 1 day left."}},
		{"2027-06-05T09:00:00-04:00", []string{"Due today: your target for Step 6\n", "is **today, June 5, 2027**."}},
	}
	for _, tt := range tests {
		now, _ := time.Parse(time.RFC3339, tt.now)
		r := f.AnnouncementReply(p, d, now)
		text := annText(r)
		for _, w := range append(tt.want, "Your target for **Step 6: Certify for Full CAIS Production (self-reporting firms)**", "**Next step:** Step 4: Determine how the firm will submit") {
			if !strings.Contains(text, w) {
				t.Errorf("%s: reply lacks %q:\n%s", tt.now, w, text)
			}
		}
		// Short: no doubled label, no list of every step (both Step 6
		// branches before a method is chosen), no small print.
		for _, bad := range []string{"Your target: ", "target for Step 6: Your", "Step 5", "Step 6(A)", "Step 6(C)", "Still open"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s: reply has %q:\n%s", tt.now, bad, text)
			}
		}
		if len(r.Parts) != 3 {
			t.Errorf("%s: %d parts, want 3 (the deadline, the next step, the passed compliance date)", tt.now, len(r.Parts))
		}
		if !strings.Contains(text, "The roadmap's date “Full CAIS compliance (roadmap date)”, May 31, 2024, has passed: the step's card says what that means for your firm.") {
			t.Errorf("%s: the reminder reads as if the firm were on time:\n%s", tt.now, text)
		}
		assertOpensNextStep(t, f, p, r)
	}
}

// assertOpensNextStep: the reminder's one button carries an "open" token,
// and clicking it shows the card of the firm's current step.
func assertOpensNextStep(t *testing.T, f *dialogs.Flow, p dialogs.Progress, r dialogs.Reply) {
	t.Helper()
	if len(r.Actions) != 1 || r.Actions[0].Style != dialogs.Primary {
		t.Fatalf("actions = %+v; want one primary button", r.Actions)
	}
	tok, err := dialogs.ParseToken(r.Actions[0].Value)
	if err != nil || tok.Kind != dialogs.KindOpen || tok.Version != p.Version {
		t.Fatalf("button token = %+v, %v; want kind open at version %d", tok, err, p.Version)
	}
	card := f.Click(p, dialogs.Event{User: "U1", Channel: "C1", Token: tok, At: time.Now()})
	if card.Next != nil || !strings.HasPrefix(card.Reply.Title, "Step 4: ") {
		t.Fatalf("click opened %q (change %v); want the Step 4 card, no change", card.Reply.Title, card.Next != nil)
	}
}

func TestEndSubscriptionIsAudited(t *testing.T) {
	m := &annStore{p: map[string]dialogs.Progress{}}
	now := time.Date(2027, 5, 29, 13, 0, 0, 0, time.UTC)
	s := &dialogs.Service{Flow: annFlow(), Store: m, Now: func() time.Time { return now }}
	ctx := context.Background()
	for _, ch := range []string{"C1", "C2"} {
		if _, err := s.Command(ctx, annFirm, dialogs.Event{User: "UADMIN", Channel: ch}, dialogs.ParseCommand("announce")); err != nil {
			t.Fatal(err)
		}
	}
	reason := "Slack answered not_in_channel: caisbot is no longer a member of the channel"
	for range 2 { // the second call finds it ended: no change, no entry
		if err := s.EndSubscription(ctx, annFirm, "C1", reason); err != nil {
			t.Fatal(err)
		}
	}
	p := m.p["F1"]
	if _, on := p.Channels["C1"]; on || len(p.Channels) != 1 {
		t.Fatalf("channels = %v; want only C2", p.Channels)
	}
	if len(m.e) != 3 {
		t.Fatalf("%d audit entries; want 2 subscriptions and 1 end", len(m.e))
	}
	e := m.e[2]
	if e.Action != dialogs.ActAnnounceOff || e.User != dialogs.SystemUser || !e.At.Equal(now) || !strings.Contains(e.Detail, "channel C1") || !strings.Contains(e.Detail, reason) {
		t.Fatalf("entry = %+v; want announce_off by caisbot naming C1 and the reason", e)
	}
	if b := dialogs.VerifyChain(m.e, p.Head); b != nil {
		t.Fatalf("audit chain: %v", b)
	}
	h, _ := s.Command(ctx, annFirm, dialogs.Event{User: "U1", Channel: "C2"}, dialogs.ParseCommand("history"))
	if text := annText(h); !strings.Contains(text, "caisbot unsubscribed channel C1") || !strings.Contains(text, "not_in_channel") {
		t.Fatalf("history does not show the ended subscription:\n%s", text)
	}
}

// annStore is a minimal in-memory dialogs.Store for these tests.
type annStore struct {
	mu sync.Mutex
	p  map[string]dialogs.Progress
	e  []dialogs.Entry
}

func (m *annStore) Load(_ context.Context, f firm.ID) (dialogs.Progress, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.p[f.Key()].Clone(), nil
}

func (m *annStore) Commit(_ context.Context, f firm.ID, expect int64, next dialogs.Progress, e dialogs.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.p[f.Key()].Version != expect {
		return dialogs.ErrConflict
	}
	m.p[f.Key()] = next.Clone()
	m.e = append(m.e, e)
	return nil
}

func (m *annStore) Audit(_ context.Context, _ firm.ID, start, stop int64) ([]dialogs.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := int64(len(m.e))
	if start < 0 {
		start = max(n+start, 0)
	}
	if stop < 0 {
		stop = n + stop
	}
	if start > stop || start >= n {
		return nil, nil
	}
	return append([]dialogs.Entry(nil), m.e[start:min(stop+1, n)]...), nil
}

func (m *annStore) Trail(ctx context.Context, f firm.ID) (dialogs.Progress, []dialogs.Entry, error) {
	p, _ := m.Load(ctx, f)
	entries, _ := m.Audit(ctx, f, 0, -1)
	return p, entries, nil
}

// annFirm is the firm these tests play in.
var annFirm = firm.ID{Platform: firm.Slack, Workspace: "F1"}
