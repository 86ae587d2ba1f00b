package dialogs

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/firm"
)

// flakyStore wraps memStore with scripted failures.
type flakyStore struct {
	*memStore
	loadErr    error
	commitErrs []error // returned by successive Commits (nil: delegate)
	commits    int
}

func (f *flakyStore) Load(ctx context.Context, id firm.ID) (Progress, error) {
	if f.loadErr != nil {
		return Progress{}, f.loadErr
	}
	return f.memStore.Load(ctx, id)
}

func (f *flakyStore) Commit(ctx context.Context, id firm.ID, expect int64, next Progress, e Entry) error {
	f.commits++
	if len(f.commitErrs) > 0 {
		err := f.commitErrs[0]
		f.commitErrs = f.commitErrs[1:]
		if err != nil {
			return err
		}
	}
	return f.memStore.Commit(ctx, id, expect, next, e)
}

func TestServiceStoreFailures(t *testing.T) {
	boom := errors.New("connection reset")
	integ := Integrity("slack/T1", "the stored audit trail is longer or shorter than the progress records", nil)
	conflicts := make([]error, maxAttempts)
	for i := range conflicts {
		conflicts[i] = ErrConflict
	}
	tests := []struct {
		name       string
		loadErr    error
		commitErrs []error
		want       error // nil: success
		entries    int
		commits    int
		integrity  int // integrity failures counted
	}{
		{"load fails", boom, nil, boom, 0, 0, 0},
		{"commit fails once, retry lands", nil, []error{boom}, nil, 1, 2, 0},
		{"commit fails twice", nil, []error{boom, boom}, ErrUncertain, 0, 2, 0},
		{"one conflict", nil, []error{ErrConflict}, nil, 1, 2, 0},
		{"endless conflicts", nil, conflicts, ErrUnavailable, 0, maxAttempts, 0},
		{"stored progress unreadable", integ, nil, ErrIntegrity, 0, 0, 1},
		{"commit refused by the sequence guard: no retry", nil, []error{integ}, ErrIntegrity, 0, 1, 1},
		{"commit fails, retry refused by the guard", nil, []error{boom, integ}, ErrIntegrity, 0, 2, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			card := command(t, s, "U1", "")
			fs := &flakyStore{memStore: m, loadErr: tc.loadErr, commitErrs: tc.commitErrs}
			s.Store = fs
			var counted []string
			s.OnIntegrity = func(where string) { counted = append(counted, where) }
			r, err := s.Click(context.Background(), testFirm, Event{User: "U1"}, card.Actions[0].Value)
			if told := Unavailable(err).Title; errors.Is(tc.want, ErrIntegrity) != strings.Contains(told, "integrity") || len(counted) != tc.integrity {
				t.Errorf("user told %q, integrity failures counted %v; want %d", told, counted, tc.integrity)
			}
			if tc.want == nil && (err != nil || r.Title != "Step 2: Register for CAT CAIS") {
				t.Errorf("got %q, %v; want Step 2", r.Title, err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if n := len(trail(m)); n != tc.entries || fs.commits != tc.commits {
				t.Errorf("%d entries after %d commits, want %d after %d", n, fs.commits, tc.entries, tc.commits)
			}
		})
	}
}

// lostReplyStore commits the first write but reports an error (the reply
// was lost); before the retry, another user's commit lands.
type lostReplyStore struct {
	*memStore
	other func()
	calls int
}

func (l *lostReplyStore) Commit(ctx context.Context, id firm.ID, expect int64, next Progress, e Entry) error {
	l.calls++
	err := l.memStore.Commit(ctx, id, expect, next, e)
	if l.calls == 1 && err == nil {
		l.other()
		return errors.New("i/o timeout")
	}
	return err
}

func TestLostReplyThenAnotherCommitStillReportsSuccess(t *testing.T) {
	s, m := newService(t)
	card := command(t, s, "U1", "")
	ls := &lostReplyStore{memStore: m}
	ls.other = func() { // someone answers Step 2 in the meantime
		p := m.p["F1"]
		next := nextOf(p)
		next.Current = "test_entitlements"
		e := Entry{Action: ActConfirm, Step: "register", Version: next.Version}
		e.Seal(p.Seq, p.Head)
		next.Seq, next.Head = e.Seq, e.Hash
		if err := m.Commit(context.Background(), testFirm, p.Version, next, e); err != nil {
			panic(err)
		}
	}
	s.Store = ls
	out := press(t, s, card, "Yes", "U1", "")
	if out.Title != "Step 2: Register for CAT CAIS" || out.Public == "" {
		t.Fatalf("the user whose confirmation landed was told %q (public %q)", out.Title, out.Public)
	}
}
