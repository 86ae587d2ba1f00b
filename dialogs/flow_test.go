package dialogs

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/firm"
)

var (
	nyc, _ = time.LoadLocation("America/New_York")
	t0     = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
)

const admin = "UADMIN"

// memStore is an in-memory Store with the same compare-and-set contract.
type memStore struct {
	mu      sync.Mutex
	p       map[string]Progress
	entries map[string][]Entry
}

func newMem() *memStore {
	return &memStore{p: map[string]Progress{}, entries: map[string][]Entry{}}
}

func (m *memStore) Load(_ context.Context, f firm.ID) (Progress, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.p[f.Key()].Clone(), nil
}

func (m *memStore) Commit(_ context.Context, f firm.ID, expect int64, next Progress, e Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.p[f.Key()].Version != expect {
		return ErrConflict
	}
	if n := len(m.entries[f.Key()]); e.Seq != int64(n)+1 {
		// The Redis commit script's sequence guard.
		return Integrity(f.String(), "the stored audit trail is longer or shorter than the progress records", nil)
	}
	m.p[f.Key()] = next.Clone()
	m.entries[f.Key()] = append(m.entries[f.Key()], e)
	return nil
}

func (m *memStore) Trail(_ context.Context, f firm.ID) (Progress, []Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.p[f.Key()].Clone(), append([]Entry(nil), m.entries[f.Key()]...), nil
}

func (m *memStore) Audit(_ context.Context, f firm.ID, start, stop int64) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	all := m.entries[f.Key()]
	n := int64(len(all))
	if start < 0 {
		start = max(n+start, 0)
	}
	if stop < 0 {
		stop = n + stop
	}
	if start > stop || start >= n {
		return nil, nil
	}
	return append([]Entry(nil), all[start:min(stop+1, n)]...), nil
}

func newService(t *testing.T) (*Service, *memStore) {
	t.Helper()
	m := newMem()
	now := t0
	return &Service{Flow: &Flow{Roadmap: Default(), Admins: []string{admin}, Loc: nyc}, Store: m, Now: func() time.Time {
		now = now.Add(time.Minute)
		return now
	}}, m
}

// press clicks the button labelled label on card r, as user.
func press(t *testing.T, s *Service, r Reply, label, user, input string) Reply {
	t.Helper()
	for _, a := range r.Actions {
		if a.Label == label {
			out, err := s.Click(context.Background(), testFirm, Event{User: user, Channel: "C1", Input: input, Values: formValues(input), Submitted: input != ""}, a.Value)
			if err != nil {
				t.Fatalf("click %q: %v", label, err)
			}
			return out
		}
	}
	t.Fatalf("card %q has no button %q (has %v)", r.Title, label, labels(r))
	return Reply{}
}

func labels(r Reply) []string {
	var l []string
	for _, a := range r.Actions {
		l = append(l, a.Label)
	}
	return l
}

func command(t *testing.T, s *Service, user, text string) Reply {
	t.Helper()
	r, err := s.Command(context.Background(), testFirm, Event{User: user, Channel: "C1"}, ParseCommand(text))
	if err != nil {
		t.Fatalf("command %q: %v", text, err)
	}
	return r
}

func body(r Reply) string {
	var b strings.Builder
	b.WriteString(r.Title + "\n")
	for _, p := range r.Parts {
		b.WriteString(p.Text + "\n")
	}
	return b.String()
}

type click struct{ label, input, wantTitle string }

func TestJourneys(t *testing.T) {
	common := []click{
		{"Yes", "", "Step 2: Register for CAT CAIS"},
		{"Registration submitted", "", "Step 3: Grant CAT CAIS Test Environment entitlement to personnel within the firm"},
		{"Test entitlements granted", "", "Step 4: Determine how the firm will submit data to CAT CAIS"},
	}
	selfEnd := []click{{"Certified for production", "", "CAIS onboarding complete"}}
	tests := []struct {
		name   string
		clicks []click
		done   []string // steps confirmed at the end
		na     []string // steps shown as not reached on the answers recorded
		audit  int      // audit entries written
	}{
		{"agent", append(append([]click{}, common...),
			click{"CAT Reporting Agent", "", "Reporting agents"}, // the form opens first
			click{"CAT Reporting Agent", "Acme Clearing\nBureau Co", "Step 5: Establish a CAT CAIS Reporting Relationship with your CAT Reporting Agent in the Test Environment"},
			click{"Test relationships saved", "", "Step 6(A): Certify for Full CAIS Production — your CAT Reporting Agents certified"},
			click{"Agent certified", "", "Step 6(A): Certify for Full CAIS Production — your CAT Reporting Agents certified"}, // Acme Clearing
			click{"Agent certified", "", "Step 6(A): Certify for Full CAIS Production — request certification for your firm"}, // Bureau Co
			click{"Certification requested", "", "Certification requested"},                                                   // the form opens first
			click{"Certification requested", "ref=HD-1", "Step 6(A): Certify for Full CAIS Production — FINRA CAT certifies your firm"},
			click{"FINRA CAT certified the firm", "", "Step 6(B): Grant CAT CAIS Production Environment entitlement to personnel within the firm"},
			click{"Production entitlements granted", "", "Step 6(C): Establish a CAT CAIS Reporting Relationship with your CAT Reporting Agent(s) in the Production Environment"},
			click{"Production relationships saved", "", "CAIS onboarding complete"}),
			[]string{"Step 1", "Step 2", "Step 3", "Step 4", "Step 5", "Step 6(A)", "Step 6(B)", "Step 6(C)"}, []string{"Step 6:"}, 11},
		{"self manual", append(append(append([]click{}, common...), click{"Self-report: manual entry", "", "Step 6: Certify for Full CAIS Production (self-reporting firms)"}), selfEnd...),
			[]string{"Step 1", "Step 4", "Step 6:"}, []string{"Step 5", "Step 6(A)", "Step 6(B)", "Step 6(C)"}, 5},
		{"self upload", append(append(append([]click{}, common...), click{"Self-report: file upload", "", "Step 6: Certify for Full CAIS Production (self-reporting firms)"}), selfEnd...),
			[]string{"Step 4", "Step 6:"}, []string{"Step 5"}, 5},
		{"no obligation", []click{{"No", "", "Step 1 answered: the firm reports no events containing an FDID"}}, []string{"Step 1"}, []string{"Step 2", "Step 6(C)"}, 1},
		{"no obligation reopened", []click{{"No", "", "Step 1 answered: the firm reports no events containing an FDID"}, {"Reopen Step 1", "", "Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS"}, {"Yes", "", "Step 2: Register for CAT CAIS"}}, []string{"Step 1"}, nil, 3},
		{"not sure stays", []click{{"Not sure", "", "Step 1: Determine if your firm has an obligation to report Customer and Account information to CAT CAIS — help"}}, nil, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			card := command(t, s, "U1", "")
			if !strings.HasPrefix(card.Title, "Step 1: ") {
				t.Fatalf("first card %q", card.Title)
			}
			for _, c := range tc.clicks {
				next := press(t, s, card, c.label, "U1", c.input)
				if next.Title != c.wantTitle {
					t.Fatalf("after %q: title %q, want %q", c.label, next.Title, c.wantTitle)
				}
				if next.Form == nil && len(next.Actions) > 0 || next.Title == "CAIS onboarding complete" || next.Title == "Step 1 answered: the firm reports no events containing an FDID" {
					card = next
				}
			}
			st := body(command(t, s, "U1", "status"))
			for _, d := range tc.done {
				if !lineHas(st, d, "✅") {
					t.Errorf("status: %s not confirmed:\n%s", d, st)
				}
			}
			for _, d := range tc.na {
				if !lineHas(st, d, "not reached on the answers recorded") {
					t.Errorf("status: %s not shown as not reached:\n%s", d, st)
				}
			}
			if got := len(m.entries["F1"]); got != tc.audit {
				t.Errorf("audit entries = %d, want %d", got, tc.audit)
			}
			if b := VerifyChain(m.entries["F1"], m.p["F1"].Head); b != nil {
				t.Errorf("chain: %v", b)
			}
		})
	}
}

func lineHas(text, step, want string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "**"+step) && strings.Contains(l, want) {
			return true
		}
	}
	return false
}

// testFirm is the firm the service tests play in.
var testFirm = firm.ID{Platform: firm.Slack, Workspace: "F1"}

// formValues reads "id=value;id=value" typed into a test click as the
// values of a form with fields (the agents form takes the text as it is).
func formValues(input string) map[string]string {
	if !strings.Contains(input, "=") {
		return nil
	}
	out := map[string]string{}
	for _, kv := range strings.Split(input, ";") {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}
