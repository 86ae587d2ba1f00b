package announce

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
)

var nyc, _ = time.LoadLocation("America/New_York")

const admin = "UADMIN"

// ny reads a wall-clock time in New York ("2027-05-29 09:00").
func ny(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, nyc)
	if err != nil {
		panic(err)
	}
	return t
}

// post is one message the fake platform accepted.
type post struct {
	Msg Message
	Ref string
	At  time.Time // real time
}

// fakePoster is a recording platform. Errors queued in failPost and
// failFind answer the next calls; an error queued in acceptThenFail is
// returned after the post was accepted (Slack posted, then the answer
// was lost). before runs ahead of every Post.
type fakePoster struct {
	mu             sync.Mutex
	posts          []post
	finds          int
	failPost       []error
	failFind       []error
	acceptThenFail []error
	before         func(Message)
}

func (f *fakePoster) Post(ctx context.Context, m Message) (string, error) {
	if f.before != nil {
		f.before(m)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.failPost) > 0 {
		err := f.failPost[0]
		f.failPost = f.failPost[1:]
		return "", err
	}
	ref := fmt.Sprintf("%d.%06d", 1700000000, len(f.posts)+1)
	f.posts = append(f.posts, post{Msg: m, Ref: ref, At: time.Now()})
	if len(f.acceptThenFail) > 0 {
		err := f.acceptThenFail[0]
		f.acceptThenFail = f.acceptThenFail[1:]
		return "", err
	}
	return ref, nil
}

func (f *fakePoster) Find(ctx context.Context, m Message) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finds++
	if len(f.failFind) > 0 {
		err := f.failFind[0]
		f.failFind = f.failFind[1:]
		return "", false, err
	}
	for _, p := range f.posts {
		if p.Msg.ID == m.ID && p.Msg.Occurrence.Channel == m.Occurrence.Channel {
			return p.Ref, true, nil
		}
	}
	return "", false, nil
}

func (f *fakePoster) sent() []post {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]post(nil), f.posts...)
}

// rig is a store on (mini or real) Redis, a service over it and a fake
// platform; schedulers made from it share all three, like replicas.
type rig struct {
	t      testing.TB
	rdb    redis.UniversalClient
	prefix string
	store  *store.Redis
	svc    *dialogs.Service
	fake   *fakePoster
}

func newRig(t testing.TB) *rig {
	t.Helper()
	c, prefix := redistest.New(t)
	st := store.New(c, prefix)
	svc := &dialogs.Service{Flow: &dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{admin}, Loc: nyc}, Store: st, Now: time.Now}
	return &rig{t: t, rdb: c, prefix: prefix, store: st, svc: svc, fake: &fakePoster{}}
}

// scheduler is a replica with fast retries and limits that do not slow
// the tests; tune adjusts its configuration.
func (r *rig) scheduler(p Poster, tune ...func(*Config)) *Scheduler {
	r.t.Helper()
	cfg := Config{
		Service: r.svc, Firms: r.store, Ledger: r.store, Posters: Posters{firm.Slack: p},
		Limits:  Limits{Channel: time.Millisecond, Workspace: time.Millisecond},
		Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
	}
	for _, f := range tune {
		f(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// cmd runs a command in firm's channel at a New York wall-clock time.
func (r *rig) cmd(firm, channel, when, text string) dialogs.Reply {
	r.t.Helper()
	reply, err := r.svc.Command(context.Background(), slackFirm(firm), dialogs.Event{User: admin, Channel: channel, At: ny(when)}, dialogs.ParseCommand(text))
	if err != nil {
		r.t.Fatalf("%s: %v", text, err)
	}
	return reply
}

// firm subscribes channels at subscribed and sets the target of step
// number 6 (self-reporting certification) to day.
func (r *rig) firm(firm, subscribed, day string, channels ...string) {
	r.t.Helper()
	for _, ch := range channels {
		if got := r.cmd(firm, ch, subscribed, "announce"); got.Title != "Announcements on" {
			r.t.Fatalf("announce: %q", got.Title)
		}
	}
	if day != "" {
		if got := r.cmd(firm, channels[0], subscribed, "deadline 6 "+day); got.Title != "Target date set" {
			r.t.Fatalf("deadline: %q %v", got.Title, got.Parts)
		}
	}
}

func (r *rig) runOnce(s *Scheduler, when string) {
	r.t.Helper()
	if err := s.RunOnce(context.Background(), ny(when)); err != nil {
		r.t.Fatalf("RunOnce at %s: %v", when, err)
	}
}

// wantPosts checks how many posts the fake accepted, and that no
// occurrence was posted twice.
func (r *rig) wantPosts(n int) []post {
	r.t.Helper()
	posts := r.fake.sent()
	seen := map[string]bool{}
	for _, p := range posts {
		if seen[p.Msg.ID] {
			r.t.Errorf("occurrence %+v posted twice", p.Msg.Occurrence)
		}
		seen[p.Msg.ID] = true
	}
	if len(posts) != n {
		r.t.Fatalf("%d posts; want %d: %+v", len(posts), n, posts)
	}
	return posts
}

// state reads an occurrence's record as the store keeps it: state and ref.
func (r *rig) state(o ledger.Occurrence) (string, string) {
	r.t.Helper()
	v, err := r.rdb.HMGet(context.Background(), r.prefix+"{"+o.Firm.Key()+"}:announce:"+o.ID(), "s", "r").Result()
	if err != nil {
		r.t.Fatal(err)
	}
	s, _ := v[0].(string)
	ref, _ := v[1].(string)
	return s, ref
}

var errServer = errors.New("slack: 500 Internal Server Error")

// slackFirm is the Slack firm whose key is key ("T1" or "T1:C1"), valid
// or not (tests of refused ids use it too).
func slackFirm(key string) firm.ID {
	ws, ch, _ := strings.Cut(key, ":")
	return firm.ID{Platform: firm.Slack, Workspace: ws, Channel: ch}
}
