package adapter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/announce"
	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
)

// chirp is a made-up third chat platform, built the way the README's
// "Adding a chat platform" says: an adapter that uses only this kit,
// dialogs and the announcer. A request is JSON naming the workspace, room
// and user the platform verified, with a typed command or a clicked
// button; the answer is the reply as plain text and its buttons.
const chirp firm.Platform = "chirp"

type chirpRequest struct {
	Workspace, Room, User string
	Text                  string // a command, as typed after the bot's name
	Click                 string // a button's value
	Input                 string // a form's text, with Click the form's token
	Delivery              string // the platform's id for this delivery; a redelivery repeats it
}

type chirpAnswer struct {
	Text    string
	Buttons []dialogs.Action
	Form    string // the form's token, when the reply asks for input
}

type chirpAdapter struct {
	svc     *dialogs.Service
	scope   firm.Scope
	log     *slog.Logger
	bg      adapter.Background
	observe adapter.Observer
	room    *chirpRooms // where public lines and reminders are posted
	once    *adapter.Once
}

func (c *chirpAdapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, status := adapter.ReadBody(w, r)
	var req chirpRequest
	if status == 0 && json.Unmarshal(body, &req) != nil {
		status = http.StatusBadRequest
	}
	if status != 0 {
		w.WriteHeader(status)
		c.observe.Observe("malformed", status, false, start)
		return
	}
	ctx, rq := adapter.Begin(r.Context(), c.log)
	f, err := c.scope.In(chirp, req.Workspace, req.Room)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		c.observe.Observe("malformed", http.StatusBadRequest, false, start)
		return
	}
	reply, what := c.handle(ctx, f, req)
	adapter.Handled(ctx, c.log, "chirp handled", f, req.User, what, reply)
	if reply.Public != "" {
		c.bg.Go(ctx, "chirp post", "room", func(context.Context) error {
			c.room.add(req.Room, reply.Public)
			return nil
		})
	}
	_ = json.NewEncoder(w).Encode(chirpAnswer{Text: adapter.FallbackText(reply) + "\n" + partsText(reply), Buttons: reply.Actions, Form: formToken(reply)})
	c.observe.Observe(what, http.StatusOK, rq.Failed(), start)
}

// handle claims a delivery that may change the record (a command that
// is not read-only, a form submitted), then runs it.
func (c *chirpAdapter) handle(ctx context.Context, f firm.ID, req chirpRequest) (dialogs.Reply, string) {
	if req.Input == "" && (req.Click != "" || dialogs.ParseCommand(req.Text).ReadOnly()) {
		reply, what, _ := c.run(ctx, f, req)
		return reply, what
	}
	claim, dup, err := c.once.Begin(ctx, adapter.DeliveryKey("chirp", req.Delivery))
	switch {
	case err != nil:
		return adapter.Failure(ctx, c.log, f, err), "command"
	case dup != nil:
		return adapter.AlreadyHandled(), "duplicate"
	}
	reply, what, keep := c.run(ctx, f, req)
	claim.Finish(ctx, keep, nil)
	return reply, what
}

func (c *chirpAdapter) run(ctx context.Context, f firm.ID, req chirpRequest) (dialogs.Reply, string, bool) {
	ev := dialogs.Event{User: req.User, Channel: req.Room}
	var reply dialogs.Reply
	var err error
	what := "command"
	switch {
	case req.Click != "":
		what = "click"
		ev.Input, ev.Submitted = req.Input, req.Input != ""
		if len(req.Input) > adapter.MaxFormInput {
			return dialogs.Notice("Form", adapter.FormTooLong), what, false
		}
		reply, err = c.svc.Click(ctx, f, ev, req.Click)
	default:
		reply, err = c.svc.Command(ctx, f, ev, dialogs.ParseCommand(req.Text))
	}
	if err != nil {
		return adapter.Failure(ctx, c.log, f, err), what, adapter.Keeps(reply, err)
	}
	return reply, what, adapter.Keeps(reply, err)
}

func formToken(r dialogs.Reply) string {
	if r.Form == nil {
		return ""
	}
	return r.FormToken
}

func partsText(r dialogs.Reply) string {
	var b strings.Builder
	for _, p := range r.Parts {
		b.WriteString(p.Text + "\n")
	}
	return b.String()
}

// chirpRooms records what was posted in each room.
type chirpRooms struct {
	mu    sync.Mutex
	posts map[string][]string
}

func (r *chirpRooms) add(room, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.posts == nil {
		r.posts = map[string][]string{}
	}
	r.posts[room] = append(r.posts[room], text)
}

func (r *chirpRooms) in(room string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.posts[room]...)
}

// chirpPoster posts reminders to rooms; Find looks for the occurrence id
// it stamps on each post.
type chirpPoster struct{ rooms *chirpRooms }

func (p chirpPoster) Post(_ context.Context, m announce.Message) (string, error) {
	p.rooms.add(m.Occurrence.Channel, "["+m.ID+"] "+adapter.FallbackText(m.Reply)+" "+partsText(m.Reply))
	return m.ID, nil
}

func (p chirpPoster) Find(_ context.Context, m announce.Message) (string, bool, error) {
	for _, t := range p.rooms.in(m.Occurrence.Channel) {
		if strings.HasPrefix(t, "["+m.ID+"]") {
			return m.ID, true, nil
		}
	}
	return "", false, nil
}

// chirpWorld is one chirp firm's test world: the adapter behind an HTTP
// server, its store and service, and what the observer heard.
type chirpWorld struct {
	t        *testing.T
	st       *store.Redis
	svc      *dialogs.Service
	nyc      *time.Location
	a        *chirpAdapter
	rooms    *chirpRooms
	srv      *httptest.Server
	mu       sync.Mutex
	observed []string
}

func newChirpWorld(t *testing.T) *chirpWorld {
	t.Helper()
	rdb, prefix := redistest.New(t)
	w := &chirpWorld{t: t, st: store.New(rdb, prefix), rooms: &chirpRooms{}}
	w.nyc, _ = time.LoadLocation("America/New_York")
	now := time.Date(2027, 5, 20, 12, 0, 0, 0, w.nyc)
	svc, err := dialogs.NewService(&dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{"ADMIN1"}, Loc: w.nyc}, w.st, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	w.svc = svc
	once, err := adapter.NewOnce(w.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.a = &chirpAdapter{svc: svc, scope: firm.ChannelScope, log: slog.New(slog.NewTextHandler(io.Discard, nil)), room: w.rooms, once: once,
		observe: func(kind, outcome string, _ time.Duration) {
			w.mu.Lock()
			w.observed = append(w.observed, kind+":"+outcome)
			w.mu.Unlock()
		}}
	w.a.bg.Timeout, w.a.bg.Log = 5*time.Second, w.a.log
	w.srv = httptest.NewServer(w.a)
	t.Cleanup(w.srv.Close)
	return w
}

// say sends req from room-1 of acme.chirp (by ADMIN1 unless it names a
// user) and returns the answer.
func (w *chirpWorld) say(req chirpRequest) chirpAnswer {
	w.t.Helper()
	req.Workspace, req.Room = "acme.chirp", "room-1"
	if req.User == "" {
		req.User = "ADMIN1"
	}
	b, _ := json.Marshal(req)
	resp, err := http.Post(w.srv.URL, "application/json", bytes.NewReader(b))
	if err != nil || resp.StatusCode != http.StatusOK {
		w.t.Fatalf("%+v: %v %v", req, resp, err)
	}
	defer resp.Body.Close()
	var ans chirpAnswer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		w.t.Fatal(err)
	}
	return ans
}

// TestAThirdPlatformNeedsOnlyTheKit walks a chirp firm (one per room, as
// a service bureau runs it) through an announcement and the whole roadmap.
func TestAThirdPlatformNeedsOnlyTheKit(t *testing.T) {
	w := newChirpWorld(t)
	w.announceWithDeadline()
	w.remindOnce()
	confirmations := w.walkRoadmap()
	w.checkFinished(confirmations)
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.observed) == 0 || w.observed[0] != "command:ok" {
		t.Fatalf("observer heard %v", w.observed)
	}
}

// announceWithDeadline turns announcements on and sets a deadline, which
// chirp delivers twice.
func (w *chirpWorld) announceWithDeadline() {
	t := w.t
	t.Helper()
	if got := w.say(chirpRequest{Text: "announce", Delivery: "d-1"}); !strings.Contains(got.Text, "Announcements on") {
		t.Fatalf("announce: %q", got.Text)
	}
	if got := w.say(chirpRequest{Text: "deadline 6 2027-06-05", Delivery: "d-2"}); !strings.Contains(got.Text, "Target date set") {
		t.Fatalf("deadline: %q", got.Text)
	}
	// chirp delivers it again: nothing more is recorded.
	if got := w.say(chirpRequest{Text: "deadline 6 2027-06-05", Delivery: "d-2"}); !strings.Contains(got.Text, "Already received") {
		t.Fatalf("deadline delivered again: %q", got.Text)
	}
	if e, _ := w.st.Audit(context.Background(), firm.ID{Platform: chirp, Workspace: "acme.chirp", Channel: "room-1"}, 0, -1); len(e) != 2 {
		t.Fatalf("%d audit entries after announce and a deadline delivered twice, want 2", len(e))
	}
}

// remindOnce runs the announcer twice a week before the deadline; the
// room gets one reminder.
func (w *chirpWorld) remindOnce() {
	t := w.t
	t.Helper()
	sched, err := announce.New(announce.Config{Service: w.svc, Firms: w.st, Ledger: w.st, Posters: announce.Posters{chirp: chirpPoster{w.rooms}},
		Limits: announce.Limits{Channel: time.Millisecond, Workspace: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second run posts nothing more
		if err := sched.RunOnce(context.Background(), time.Date(2027, 5, 29, 9, 0, 0, 0, w.nyc)); err != nil {
			t.Fatal(err)
		}
	}
	w.a.bg.Wait()
	var reminders []string
	for _, p := range w.rooms.in("room-1") {
		if strings.HasPrefix(p, "[") {
			reminders = append(reminders, p)
		}
	}
	if len(reminders) != 1 || !strings.Contains(reminders[0], "June 5, 2027") || !strings.Contains(reminders[0], "7 days left") {
		t.Fatalf("reminders in the room: %q; want one, 7 days before June 5, 2027", reminders)
	}
}

// walkRoadmap clicks each card's primary button, filling any form, and
// returns how many confirmations it took.
func (w *chirpWorld) walkRoadmap() int {
	t := w.t
	t.Helper()
	card := w.say(chirpRequest{Text: ""})
	if !strings.Contains(card.Text, "Step 1") {
		t.Fatalf("first card: %q", card.Text)
	}
	confirmations := 0
	for range 20 {
		next := primary(card.Buttons)
		if next == "" {
			break
		}
		card = w.say(chirpRequest{Click: next})
		if card.Form != "" {
			card = w.say(chirpRequest{Click: card.Form, Input: "Acme Clearing LLC", Delivery: "form-" + card.Form})
		}
		confirmations++
	}
	w.a.bg.Wait()
	return confirmations
}

// checkFinished checks status, the room's progress lines, verify and the
// recorded path after the walk.
func (w *chirpWorld) checkFinished(confirmations int) {
	t := w.t
	t.Helper()
	status := w.say(chirpRequest{Text: "status", User: "U2"})
	if confirmations != 10 || !strings.Contains(status.Text, "CAIS onboarding complete") { // 6(A) has three parts, one agent
		t.Fatalf("after %d confirmations, status: %q", confirmations, status.Text)
	}
	progress := 0
	for _, l := range w.rooms.in("room-1") {
		if strings.Contains(l, " confirmed **Step") {
			progress++
		}
	}
	if progress != confirmations {
		t.Fatalf("room holds %d progress lines; want one per confirmation (%d):\n%s", progress, confirmations, strings.Join(w.rooms.in("room-1"), "\n"))
	}
	if v := w.say(chirpRequest{Text: "verify"}); !strings.Contains(v.Text, "verified") {
		t.Fatalf("verify: %q", v.Text)
	}
	p, err := w.svc.Progress(context.Background(), firm.ID{Platform: chirp, Workspace: "acme.chirp", Channel: "room-1"})
	if err != nil || len(p.Path) != confirmations {
		t.Fatalf("progress %+v, %v", p, err)
	}
}

func primary(actions []dialogs.Action) string {
	for _, a := range actions {
		if a.Style == dialogs.Primary {
			return a.Value
		}
	}
	return ""
}
