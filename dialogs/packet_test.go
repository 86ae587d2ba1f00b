package dialogs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/firm"
)

// fakePackager keeps what it was given and answers with a small file.
type fakePackager struct {
	in  PacketInput
	err error
}

func (p *fakePackager) Pack(_ context.Context, in PacketInput) (*File, error) {
	p.in = in
	if p.err != nil {
		return nil, p.err
	}
	return &File{Name: in.FileName, Content: []byte("zip")}, nil
}

// nameBook knows some users' names now and counts the lookups.
type nameBook struct {
	names   map[string]string
	lookups int
}

func (b *nameBook) DisplayName(_ context.Context, user string) (string, bool) {
	b.lookups++
	n, ok := b.names[user]
	return n, ok
}

func TestPacketWithoutPackager(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes")
	before, n := stored(m), len(trail(m))
	r := command(t, s, "U1", "packet")
	if r.File != nil || !strings.Contains(body(r), "not set up to make exam packets. Nothing was changed.") {
		t.Errorf("reply: %s", body(r))
	}
	unchanged(t, m, before, n)
}

func TestPacketNamesPeople(t *testing.T) {
	s, m := newService(t)
	pk := &fakePackager{}
	s.Packager = pk
	book := &nameBook{names: map[string]string{"U2": "Bea Two"}}
	card := command(t, s, "U1", "")
	for _, who := range []struct{ user, name, label string }{{"U1", "Ann One", "Yes"}, {"U2", "", "Registration submitted"}, {"U3", "", "Test entitlements granted"}, {"U2", "", "CAT Reporting Agent"}} {
		next, err := s.Click(context.Background(), testFirm, Event{User: who.user, Name: who.name, Channel: "C1", Input: "Acme", Submitted: who.label == "CAT Reporting Agent"}, actionValue(t, card, who.label))
		if err != nil {
			t.Fatal(err)
		}
		card = next
	}
	before, n := stored(m), len(trail(m))
	r, err := s.Command(context.Background(), testFirm, Event{User: "U9", Channel: "C1", Names: book}, ParseCommand("packet"))
	if err != nil {
		t.Fatal(err)
	}
	unchanged(t, m, before, n)
	if r.File == nil || r.File.Kind != FilePacket || !strings.Contains(body(r), "`cais-exam-packet-f1-2026-11-24.zip`") {
		t.Fatalf("reply: %s %+v", body(r), r.File)
	}
	want := []PacketPerson{{ID: "U1", Name: "Ann One"}, {ID: "U2", Name: "Bea Two", LookedUp: true}, {ID: "U3"}, {ID: "U2", Name: "Bea Two", LookedUp: true}}
	for i, st := range pk.in.Steps[:4] {
		if st.Confirmed == nil || st.Confirmed.By != want[i] {
			t.Errorf("step %d confirmed by %+v, want %+v", i+1, st.Confirmed, want[i])
		}
	}
	if book.lookups != 2 {
		t.Errorf("%d lookups, want one for each user without a recorded name (U2, U3)", book.lookups)
	}
	if st := pk.in.Steps[3]; st.Heading != "Step 4: Determine how the firm will submit data to CAT CAIS" || st.Answer != "CAT Reporting Agent" || !st.Branch || len(st.Agents) != 1 {
		t.Errorf("step 4: %+v", st)
	}
	if open := pk.in.Steps[4]; open.Confirmed != nil || open.ID != "relationship_test" {
		t.Errorf("the open step: %+v", open)
	}
	if !pk.in.Check.Intact || pk.in.Check.Entries != 4 || len(pk.in.Roadmaps) != 1 || !pk.in.Roadmaps[0].Running {
		t.Errorf("check %+v, roadmaps %+v", pk.in.Check, pk.in.Roadmaps)
	}
	if export := command(t, s, "U1", "export"); string(pk.in.CSV) != string(export.File.Content) {
		t.Error("the packet's CSV is not the export's")
	}
}

func actionValue(t *testing.T, r Reply, label string) string {
	t.Helper()
	for _, a := range r.Actions {
		if a.Label == label {
			return a.Value
		}
	}
	t.Fatalf("no %q on %q", label, r.Title)
	return ""
}

func TestPacketReportsABrokenRecord(t *testing.T) {
	s, m := newService(t)
	pk := &fakePackager{}
	s.Packager = pk
	walk(t, s, "Yes", "Registration submitted")
	m.mu.Lock()
	m.entries["F1"][1].Detail = "Registration skipped"
	m.mu.Unlock()
	r := command(t, s, "U1", "packet")
	if r.File == nil || !strings.Contains(body(r), "The record failed its check; the packet lists each problem.") {
		t.Errorf("reply: %s", body(r))
	}
	if c := pk.in.Check; c.Intact || len(c.Problems) != 1 || c.Problems[0] != "entry 2: its content does not match its hash (it was edited)" {
		t.Errorf("check: %+v", c)
	}
	pk.err = errors.New("laying out the summary: boom")
	if r := command(t, s, "U1", "packet"); r.File != nil || !strings.Contains(body(r), "could not make the exam packet (laying out the summary: boom). Nothing was changed.") {
		t.Errorf("a packager failure: %s", body(r))
	}
}

func TestPacketFileNames(t *testing.T) {
	acme := firm.ID{Platform: firm.Slack, Workspace: "T1"}
	other := firm.ID{Platform: firm.Slack, Workspace: "T2"}
	bureau := firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: "C9"}
	pr := &Profile{Name: "Société Générale Securities, L.L.C.", CRD: "42", At: time.Now()}
	cases := []struct {
		f     firm.ID
		pr    *Profile
		place string
		want  string
	}{
		{acme, pr, "Acme", "cais-exam-packet-societe-generale-securities-l-l-c-crd42-2026-12-07.zip"},
		{acme, nil, "Acme Workspace", "cais-exam-packet-acme-workspace-t1-2026-12-07.zip"},
		{other, nil, "Acme Workspace", "cais-exam-packet-acme-workspace-t2-2026-12-07.zip"},
		{bureau, nil, "Acme Workspace #client-a", "cais-exam-packet-acme-workspace-client-a-t1-c9-2026-12-07.zip"},
		{acme, nil, "", "cais-exam-packet-t1-2026-12-07.zip"},
	}
	for _, c := range cases {
		if got := PacketFileName(c.f, c.pr, c.place, "2026-12-07"); got != c.want {
			t.Errorf("%v %q: %s, want %s", c.f, c.place, got, c.want)
		}
	}
}
