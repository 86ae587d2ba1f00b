package dialogs

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/firm"
)

// memLister lists memStore's firms, as the store's firms index does:
// every firm, of every workspace; FirmsIn filters by workspace.
type memLister struct {
	m     *memStore
	firms []firm.ID
}

func (l *memLister) FirmsIn(_ context.Context, w firm.Workspace) ([]firm.ID, error) {
	var out []firm.ID
	for _, f := range l.firms {
		if w.Has(f) {
			out = append(out, f)
		}
	}
	return out, nil
}

func (l *memLister) LoadMany(ctx context.Context, firms []firm.ID) ([]Progress, error) {
	out := make([]Progress, len(firms))
	for i, f := range firms {
		out[i], _ = l.m.Load(ctx, f)
	}
	return out, nil
}

type names map[string]string

func (n names) ChannelNames(context.Context) map[string]string { return n }

func chanFirm(ws, ch string) firm.ID {
	return firm.ID{Platform: firm.Slack, Workspace: ws, Channel: ch}
}

// consoleService has firms in channels of T1 (and one of T2), each
// moved by commands as admin.
func consoleService(t *testing.T) (*Service, *memLister) {
	t.Helper()
	s, m := newService(t)
	l := &memLister{m: m}
	s.Firms = l
	run := func(f firm.ID, text string) {
		l.firms = append(l.firms, f)
		if _, err := s.Command(context.Background(), f, Event{User: admin, Channel: f.Channel}, ParseCommand(text)); err != nil {
			t.Fatal(err)
		}
	}
	run(chanFirm("T1", "CLATE"), "deadline 1 2026-11-26")  // 7 days overdue on Dec 3
	run(chanFirm("T1", "CSOON"), "deadline 1 2026-12-10")  // 7 days ahead
	run(chanFirm("T1", "CQUIET"), "status")                // never changed
	run(chanFirm("T1", "CLATER"), "deadline 1 2026-12-02") // 1 day overdue
	run(chanFirm("T2", "COTHER"), "deadline 1 2026-11-25") // another workspace
	s.Now = func() time.Time { return time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC) }
	return s, l
}

func TestConsoleListsMostUrgentFirstAndOnlyThisWorkspace(t *testing.T) {
	s, _ := consoleService(t)
	ev := Event{User: admin, Channels: names{"CSOON": "acme-bd"}}
	r, err := s.Command(context.Background(), chanFirm("T1", "CANY"), ev, ParseCommand("firms"))
	if err != nil {
		t.Fatal(err)
	}
	text := body(r)
	order := []string{"**CLATE**", "**CLATER**", "**#acme-bd**"}
	last := -1
	for _, w := range order {
		i := strings.Index(text, w)
		if i < last {
			t.Errorf("%s is out of order:\n%s", w, text)
		}
		last = i
	}
	for _, w := range []string{"Your target for Step 1: November 26, 2026 (7 days overdue)", "7 days overdue", "1 day overdue", "7 days left", "**4 firms** · 2 overdue",
		// None has finished, and the compliance date has passed: the list
		// says so, and draws no conclusion for any firm.
		"\n4 firms have not finished the walk here, and the roadmap's date “Full CAIS compliance (roadmap date)”, May 31, 2024, has passed: each firm's card says what that means for it."} {
		if !strings.Contains(text, w) {
			t.Errorf("console lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "COTHER") {
		t.Errorf("a firm of another workspace is listed:\n%s", text)
	}
	if r.File != nil {
		t.Error("the list came with its CSV; the CSV is for the button")
	}
	csvReply := clickLabel(t, s, chanFirm("T1", "CANY"), ev, r, "Download CSV")
	rows, err := csv.NewReader(strings.NewReader(string(csvReply.File.Content))).ReadAll()
	if err != nil || len(rows) != 5 {
		t.Fatalf("CSV %d rows (%v):\n%s", len(rows), err, csvReply.File.Content)
	}
	if got := strings.Join(rows[1], ","); got != "slack/T1:CLATE,CLATE,Step 1,false,,,2026-11-26,Your target for Step 1,-7,2026-11-24T15:01:00Z" {
		t.Errorf("first CSV row: %s", got)
	}
	if rows[4][0] != "slack/T1:CQUIET" || rows[4][6] != "" {
		t.Errorf("the firm with no date is not last: %v", rows[4])
	}
}

func TestConsoleIsForAdmins(t *testing.T) {
	s, _ := consoleService(t)
	r, err := s.Command(context.Background(), chanFirm("T1", "CLATE"), Event{User: "U1"}, ParseCommand("firms"))
	if err != nil {
		t.Fatal(err)
	}
	if got := body(r); !strings.Contains(got, "Only admins can see the list of every firm: @{UADMIN}") || r.File != nil {
		t.Errorf("a non-admin got:\n%s", got)
	}
}

// clickLabel presses the button labelled label on r as ev's user.
func clickLabel(t *testing.T, s *Service, f firm.ID, ev Event, r Reply, label string) Reply {
	t.Helper()
	for _, a := range r.Actions {
		if a.Label == label {
			out, err := s.Click(context.Background(), f, ev, a.Value)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	t.Fatalf("no %q button on %q: %+v", label, r.Title, r.Actions)
	return Reply{}
}

// Beyond one page the list goes on in pages; the CSV, by its button, has
// every firm; the buttons are for admins too.
func TestConsolePagesAndItsCSVHasEveryFirm(t *testing.T) {
	s, l := consoleService(t)
	for i := range MaxConsoleRows + 5 {
		l.firms = append(l.firms, chanFirm("T1", fmt.Sprintf("CX%03d", i)))
	}
	ev, where := Event{User: admin}, chanFirm("T1", "CANY")
	r, err := s.Command(context.Background(), where, ev, ParseCommand("firms"))
	if err != nil {
		t.Fatal(err)
	}
	shown := func(r Reply) int {
		text := body(r)
		return strings.Count(text, "\n• ") + strings.Count(text, "⚠️ **")
	}
	if n := shown(r); n != MaxConsoleRows || !strings.Contains(body(r), "Page 1 of 2: firms 1–40 of 49.") || !strings.Contains(body(r), "**49 firms**") {
		t.Fatalf("page 1 shows %d firms:\n%s", n, body(r))
	}
	next := clickLabel(t, s, where, ev, r, "Next 9 →")
	if n := shown(next); n != 9 || !next.Replace || !strings.Contains(body(next), "Page 2 of 2: firms 41–49 of 49.") || !strings.Contains(body(next), "**49 firms**") {
		t.Fatalf("page 2 (replace %v) shows %d firms:\n%s", next.Replace, n, body(next))
	}
	if back := clickLabel(t, s, where, ev, next, "← Previous"); shown(back) != MaxConsoleRows {
		t.Fatalf("back to page 1:\n%s", body(back))
	}
	file := clickLabel(t, s, where, ev, next, "Download CSV").File
	if file == nil || strings.Count(string(file.Content), "\n") != MaxConsoleRows+9+1 {
		t.Fatalf("the CSV: %+v", file)
	}
	if other := clickLabel(t, s, where, Event{User: "U1"}, r, "Download CSV"); other.File != nil || !strings.Contains(body(other), "Only admins") {
		t.Fatalf("a non-admin's click on the CSV button:\n%s", body(other))
	}
}

func TestSortRows(t *testing.T) {
	day := func(d int) time.Time { return t0.AddDate(0, 0, d) }
	rows := []ConsoleRow{
		{Name: "none-old", Last: day(-9)},
		{Name: "ahead-3", NextDay: day(3), DaysLeft: 3},
		{Name: "late-1", NextDay: day(-1), DaysLeft: -1},
		{Name: "none-new", Last: day(-1)},
		{Name: "late-5", NextDay: day(-5), DaysLeft: -5},
		{Name: "ahead-3-older", NextDay: day(3), DaysLeft: 3, Last: day(-30)},
		{Name: "never"},
		{Name: "waiting-2", Waiting: "FINRA CAT", WaitSince: day(-2), NextDay: day(1), DaysLeft: 1},
		{Name: "waiting-8", Waiting: "our clearing firm", WaitSince: day(-8)},
		{Name: "late-waiting", Waiting: "FINRA CAT", WaitSince: day(-20), NextDay: day(-2), DaysLeft: -2},
		{Name: "broken", Broken: true},
	}
	SortRows(rows)
	var got []string
	for _, r := range rows {
		got = append(got, r.Name)
	}
	want := "broken late-5 late-waiting late-1 waiting-8 waiting-2 ahead-3 ahead-3-older never none-old none-new"
	if strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
}

// Only firms still onboarding count as past the compliance date: a firm
// at an outcome, or whose record failed its check, does not.
func TestConsoleCountsOnlyFirmsStillOnboardingPastTheDate(t *testing.T) {
	s, _ := newService(t)
	f := s.Flow
	past := []string{"full_compliance"}
	for _, tc := range []struct {
		name string
		rows []ConsoleRow
		want string // "" none
	}{
		{"one onboarding", []ConsoleRow{{Passed: past}, {Done: true, Passed: past}, {Broken: true, Passed: past}}, "1 firm has not finished the walk here, and the roadmap's date"},
		{"none past", []ConsoleRow{{}, {Done: true}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := f.consoleSummary(tc.rows)
			if tc.want == "" && strings.Contains(got, "not finished the walk") || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("summary %q, want %q", got, tc.want)
			}
		})
	}
}

// profileOn sets firm f's profile as the admin, through its form.
func profileOn(t *testing.T, s *Service, f firm.ID, name, crd string) Reply {
	t.Helper()
	ctx, ev := context.Background(), Event{User: admin, Channel: f.Channel}
	r, err := s.Command(ctx, f, ev, ParseCommand("profile"))
	if err != nil || len(r.Actions) == 0 {
		t.Fatalf("profile: %v %v", r.Actions, err)
	}
	ev.Values, ev.Submitted = profileValues(name, crd), true
	out, err := s.Click(ctx, f, ev, r.Actions[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A CRD number another firm of the workspace already has is saved, with
// a warning naming that firm: a CRD number names one firm.
func TestProfileWarnsOfAnotherFirmWithTheSameCRD(t *testing.T) {
	s, _ := consoleService(t)
	profileOn(t, s, chanFirm("T1", "CLATE"), "Acme Securities LLC", "104200")
	profileOn(t, s, chanFirm("T2", "COTHER"), "Other Workspace BD", "555")
	same := profileOn(t, s, chanFirm("T1", "CSOON"), "Acme Securties LLC", "104200")
	if same.Title != "Firm profile saved" || !strings.Contains(body(same), "⚠️ Another firm of this workspace already has CRD 104200: **Acme Securities LLC**.") {
		t.Errorf("same CRD:\n%s", body(same))
	}
	for _, tc := range []struct {
		f   firm.ID
		crd string
	}{{chanFirm("T1", "CQUIET"), "555"}, {chanFirm("T3", "CNEW"), "104200"}} { // another number; the same in another workspace
		if out := profileOn(t, s, tc.f, "Birch Capital", tc.crd); out.Title != "Firm profile saved" || strings.Contains(body(out), "already has CRD") {
			t.Errorf("%s: %s", tc.f, body(out))
		}
	}
	if out := profileOn(t, s, chanFirm("T2", "CNEW"), "Other BD", "555"); !strings.Contains(body(out), "already has CRD 555: **Other Workspace BD**") {
		t.Errorf("a firm not listed yet (its first change):\n%s", body(out))
	}
}
