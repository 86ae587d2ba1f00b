package dialogs

import (
	"context"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/firm"
)

// rememberingStore is memStore with a memory of the progress last loaded
// or committed (Remembering), which a test may falsify, and the head
// guard of the Redis commit script.
type rememberingStore struct {
	*memStore
	memory  *Progress
	loads   int
	commits int
}

func (r *rememberingStore) Remembered(firm.ID) (Progress, bool) {
	if r.memory == nil {
		return Progress{}, false
	}
	return r.memory.Clone(), true
}

func (r *rememberingStore) Load(ctx context.Context, f firm.ID) (Progress, error) {
	r.loads++
	p, err := r.memStore.Load(ctx, f)
	r.memory = &p
	return p.Clone(), err
}

func (r *rememberingStore) Commit(ctx context.Context, f firm.ID, expect int64, next Progress, e Entry) error {
	r.commits++
	r.mu.Lock()
	head, version := "", r.p[f.Key()].Version
	if all := r.entries[f.Key()]; len(all) > 0 {
		head = all[len(all)-1].Hash
	}
	r.mu.Unlock()
	if version == expect && e.Prev != head {
		return Integrity(f.String(), "the stored audit trail does not end with the entry the progress records", nil)
	}
	if err := r.memStore.Commit(ctx, f, expect, next, e); err != nil {
		return err
	}
	r.memory = &next
	return nil
}

// A click on the card just delivered commits on the remembered progress
// without reading it; a memory that is out of date, or that would answer
// without a change, costs a read and never decides the answer.
func TestClickOnRememberedProgress(t *testing.T) {
	const step3 = "Step 3: Grant CAT CAIS Test Environment entitlement to personnel within the firm"
	for _, tc := range []struct {
		name string
		// before runs between delivering the step 2 card and clicking it.
		before     func(s *Service, r *rememberingStore, card Reply)
		loads      int // reads made by the click
		commits    int // commits tried by the click
		wantTitle  string
		wantText   string
		wantAuthor []string // users of the trail's entries
	}{
		{"the card just delivered", func(*Service, *rememberingStore, Reply) {},
			0, 1, step3, "", []string{"U1", "U1"}},
		{"another replica confirmed first", func(s *Service, r *rememberingStore, card Reply) {
			memory := *r.memory
			other := &Service{Flow: s.Flow, Store: r.memStore, Now: s.Now}
			press(t, other, card, "Registration submitted", "UBOB", "")
			r.memory = &memory
		}, 1, 1, step3, "@{UBOB}", []string{"U1", "UBOB"}},
		{"restored with another history at the same version", func(_ *Service, r *rememberingStore, _ Reply) {
			r.memory.Head = strings.Repeat("0", 64)
		}, 1, 2, step3, "", []string{"U1", "U1"}},
		{"memory that would change nothing", func(_ *Service, r *rememberingStore, _ Reply) {
			r.memory.Current = "test_entitlements" // as if step 2 were done: the click would be stale
		}, 1, 1, step3, "", []string{"U1", "U1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			r := &rememberingStore{memStore: m}
			s.Store = r
			var integrity []string
			s.OnIntegrity = func(where string) { integrity = append(integrity, where) }
			// A firm never stored has nothing to remember: the walk
			// starts with a confirmed step 1.
			card := press(t, s, command(t, s, "U1", ""), "Yes", "U1", "")
			tc.before(s, r, card)
			loads, commits := r.loads, r.commits
			out := press(t, s, card, "Registration submitted", "U1", "")
			if out.Title != tc.wantTitle || !strings.Contains(partsText(out), tc.wantText) {
				t.Errorf("reply %q: %q; want %q with %q", out.Title, partsText(out), tc.wantTitle, tc.wantText)
			}
			if r.loads-loads != tc.loads || r.commits-commits != tc.commits {
				t.Errorf("the click read %d times and committed %d; want %d and %d", r.loads-loads, r.commits-commits, tc.loads, tc.commits)
			}
			var users []string
			for _, e := range trail(m) {
				users = append(users, e.User)
			}
			if strings.Join(users, ",") != strings.Join(tc.wantAuthor, ",") || len(integrity) > 0 {
				t.Errorf("trail by %v, integrity failures %v; want %v and none", users, integrity, tc.wantAuthor)
			}
			if b := VerifyChain(trail(m), stored(m).Head); b != nil {
				t.Errorf("chain: %v", b)
			}
		})
	}
}

func partsText(r Reply) string {
	var b strings.Builder
	for _, p := range r.Parts {
		b.WriteString(p.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// A button that opens an answer's form changes nothing: on the card just
// delivered the form opens on the remembered progress, with no read, and
// its submission commits on that version. On a memory another replica
// has moved past, the form still opens, and its submission is told the
// step was already confirmed and changes nothing. A form that shows what
// is stored (a wait) is always drawn from a read.
func TestFormOpensOnRememberedProgress(t *testing.T) {
	const method = "CAT Reporting Agent"
	for _, tc := range []struct {
		name    string
		label   string
		moved   bool // another replica answers Step 4 after the card
		loads   int  // reads made by opening the form
		wantOut string
	}{
		{"an answer's form on the card just delivered", method, false, 0, "Step 5"},
		{"an answer's form after another replica answered", method, true, 0, "Nothing was changed"},
		{"a wait form", "Waiting on someone…", false, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			r := &rememberingStore{memStore: m}
			s.Store = r
			card := walk(t, s, "Yes", "Registration submitted", "Test entitlements granted")
			if tc.moved {
				memory := *r.memory
				other := &Service{Flow: s.Flow, Store: r.memStore, Now: s.Now}
				press(t, other, card, "Self-report: manual entry", "UBOB", "")
				r.memory = &memory
			}
			loads, commits, entries := r.loads, r.commits, len(trail(m))
			form := press(t, s, card, tc.label, "U1", "")
			if form.Form == nil || r.loads-loads != tc.loads || r.commits != commits {
				t.Fatalf("opening the form: form %v, %d reads, %d commits; want a form, %d reads, no commit", form.Form != nil, r.loads-loads, r.commits-commits, tc.loads)
			}
			if tc.wantOut == "" {
				return
			}
			ev := Event{User: "U1", Channel: "C1", Submitted: true, Input: "Acme Clearing LLC"}
			out, err := s.Click(context.Background(), testFirm, ev, form.FormToken)
			if err != nil {
				t.Fatal(err)
			}
			wantEntries := entries + 1
			if tc.moved {
				wantEntries = entries // refused: nothing written
			}
			got := out.Title + " " + partsText(out)
			if n := len(trail(m)); n != wantEntries || !strings.Contains(got, tc.wantOut) || out.Changed == tc.moved {
				t.Errorf("submitted: %d entries, changed %t, %q; want %d entries and %q", n-entries, out.Changed, got, wantEntries-entries, tc.wantOut)
			}
		})
	}
}
