package packet_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/packet"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
)

var (
	nyc, _   = time.LoadLocation("America/New_York")
	t0       = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	testFirm = firm.ID{Platform: firm.Slack, Workspace: "T0EXAMPLE"}
)

const admin = "U0DANA"

// rig is a Service on a real (or mini) Redis with the packet wired, and
// the people of the journey.
type rig struct {
	s     *dialogs.Service
	st    *store.Redis
	rdb   redis.UniversalClient
	keys  string            // this test's key prefix
	names map[string]string // display names the platform gives now
}

func newRig(tb testing.TB) *rig {
	tb.Helper()
	rdb, prefix := redistest.New(tb)
	st := store.New(rdb, prefix)
	flow := &dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{admin}, Principals: []string{"U0CAROL"}, Loc: nyc}
	if _, _, err := st.KeepRoadmap(context.Background(), flow.Roadmap.Text()); err != nil {
		tb.Fatal(err)
	}
	now := t0
	s, err := dialogs.NewService(flow, st, func() time.Time { now = now.Add(7 * time.Minute); return now })
	if err != nil {
		tb.Fatal(err)
	}
	s.Packager = packet.Packager{}
	return &rig{s: s, st: st, rdb: rdb, keys: prefix, names: map[string]string{"U0BOB": "Bob Builder"}}
}

// DisplayName is the platform's name book: it knows Bob only.
func (r *rig) DisplayName(_ context.Context, user string) (string, bool) {
	n, ok := r.names[user]
	return n, ok
}

// recorded is the display name each user's events carry; Bob's and the
// admin's carry none (as from an older build), so the packet looks
// Bob's up and shows the admin by id.
var recorded = map[string]string{"U0ALICE": "Alice Example", "U0CAROL": "Carol Principal"}

func (r *rig) event(user string) dialogs.Event {
	return dialogs.Event{User: user, Name: recorded[user], Channel: "C0CAIS", Names: r, Place: "Example Workspace"}
}

func (r *rig) command(tb testing.TB, user, text string) dialogs.Reply {
	tb.Helper()
	out, err := r.s.Command(context.Background(), testFirm, r.event(user), dialogs.ParseCommand(text))
	if err != nil {
		tb.Fatalf("%s: %v", text, err)
	}
	return out
}

// press clicks label on card as user; values, if any, are submitted to
// the form the click opens (input, for a one-field form).
func (r *rig) press(tb testing.TB, card dialogs.Reply, label, user, input string, values map[string]string) dialogs.Reply {
	tb.Helper()
	for _, a := range card.Actions {
		if a.Label != label {
			continue
		}
		out, err := r.s.Click(context.Background(), testFirm, r.event(user), a.Value)
		if err != nil {
			tb.Fatal(err)
		}
		if out.Form == nil {
			return out
		}
		ev := r.event(user)
		ev.Input, ev.Values, ev.Submitted = input, values, true
		if out, err = r.s.Click(context.Background(), testFirm, ev, out.FormToken); err != nil {
			tb.Fatal(err)
		}
		if out.FormError != "" {
			tb.Fatalf("%s: form refused: %s", label, out.FormError)
		}
		return out
	}
	var have []string
	for _, a := range card.Actions {
		have = append(have, a.Label)
	}
	tb.Fatalf("card %q has no button %q (has %v)", card.Title, label, have)
	return dialogs.Reply{}
}

// journey takes a firm through the agent branch to the end: a profile,
// a wait set and ended on Step 1, evidence, two agents chosen, sent back
// by the principal with a reason, chosen again and approved, the 6(A)
// certification request (approved) waiting on FINRA CAT, a target date.
func (r *rig) journey(tb testing.TB) {
	tb.Helper()
	r.press(tb, r.command(tb, admin, "profile"), "Set profile…", admin, "", map[string]string{dialogs.ProfileName: "Example Securities, LLC", dialogs.ProfileCRD: "123456"})
	card := r.command(tb, "U0ALICE", "")
	card = r.press(tb, card, "Waiting on someone…", "U0ALICE", "", map[string]string{dialogs.WaitWho: "our compliance consultant", dialogs.WaitRef: "MAIL-17", dialogs.WaitFollowUp: "2026-12-01"})
	card = r.press(tb, card, "Add evidence", "U0ALICE", "", map[string]string{dialogs.EvidenceRef: "FDID-REVIEW-1", dialogs.EvidenceLink: "https://intranet.example.com/cais/fdid-review", dialogs.EvidenceNote: "The COO confirmed that the firm's events carry FDIDs."})
	card = r.press(tb, card, "Yes", "U0ALICE", "", nil)
	card = r.press(tb, card, "Registration submitted", "U0BOB", "", nil)
	card = r.press(tb, card, "Test entitlements granted", "U0BOB", "", nil)
	card = r.press(tb, card, "CAT Reporting Agent", "U0ALICE", "Acme Clearing LLC", nil)
	card = r.press(tb, card, "Send back", "U0CAROL", "", map[string]string{dialogs.SendBackReason: "Name both agents, not only the clearing firm"})
	card = r.press(tb, card, "CAT Reporting Agent", "U0ALICE", "Acme Clearing LLC\nBureau Services Co", nil)
	card = r.press(tb, card, "Approve", "U0CAROL", "", nil)
	card = r.press(tb, card, "Test relationships saved", "U0ALICE", "", nil)
	card = r.press(tb, card, "Agent certified", "U0ALICE", "", nil)
	card = r.press(tb, card, "Agent certified", "U0ALICE", "", nil)
	r.command(tb, admin, "deadline 6(C) 2027-03-01")
	card = r.press(tb, card, "Certification requested", "U0ALICE", "", map[string]string{"ref": "HD-4711", "follow_up": "2027-01-10"})
	card = r.press(tb, card, "Approve", "U0CAROL", "", nil)
	card = r.press(tb, card, "FINRA CAT certified the firm", "U0ALICE", "", nil)
	card = r.press(tb, card, "Production entitlements granted", "U0BOB", "", nil)
	r.press(tb, card, "Production relationships saved", "U0ALICE", "", nil)
}

// commit appends e (at the rig's clock, naming the running roadmap) and
// the progress edit makes.
func (r *rig) commit(tb testing.TB, e dialogs.Entry, edit func(*dialogs.Progress, time.Time)) {
	tb.Helper()
	e.Roadmap = r.s.Flow.Roadmap.Ref()
	r.commitRaw(tb, e, edit)
}

// commitRaw is commit with e's roadmap as given ("" as older builds wrote).
func (r *rig) commitRaw(tb testing.TB, e dialogs.Entry, edit func(*dialogs.Progress, time.Time)) {
	tb.Helper()
	ctx := context.Background()
	p, err := r.st.Load(ctx, testFirm)
	if err != nil {
		tb.Fatal(err)
	}
	next := p.Clone()
	next.Version = p.Version + 1
	e.At, e.Version = r.s.Now().UTC(), next.Version
	if edit != nil {
		edit(&next, e.At)
	}
	e.Seal(p.Seq, p.Head)
	next.Seq, next.Head = e.Seq, e.Hash
	if err := r.st.Commit(ctx, testFirm, p.Version, next, e); err != nil {
		tb.Fatal(err)
	}
}

// packet asks for the packet and returns its reply and files.
func (r *rig) packet(tb testing.TB) (dialogs.Reply, map[string][]byte) {
	tb.Helper()
	reply := r.command(tb, "U0ALICE", "packet")
	if reply.File == nil {
		tb.Fatalf("packet gave no file: %+v", reply)
	}
	return reply, unzipAll(tb, reply.File.Content)
}

func unzipAll(tb testing.TB, b []byte) map[string][]byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// rezip packs files again, with a MANIFEST recomputed when remanifest is
// set (a tamperer who knows the format).
func rezip(tb testing.TB, files map[string][]byte, remanifest bool) []byte {
	tb.Helper()
	if remanifest {
		var b strings.Builder
		for _, name := range sorted(files) {
			if name != packet.ManifestName {
				b.WriteString(sha(files[name]) + "  " + name + "\n")
			}
		}
		files[packet.ManifestName] = []byte(b.String())
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, name := range sorted(files) {
		f, err := w.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := f.Write(files[name]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
