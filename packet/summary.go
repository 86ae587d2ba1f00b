package packet

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// Summary is summary.pdf: the record as a firm hands it to an examiner.
func Summary(in dialogs.PacketInput, files []RoadmapFile) (pdf []byte, err error) {
	defer func() {
		// fpdf panics on what it cannot lay out; a packet request must
		// get an answer, not end the process.
		if p := recover(); p != nil {
			pdf, err = nil, fmt.Errorf("laying out the summary: %v", p)
		}
	}()
	s := summary{in: in, files: files, d: newDoc("CAIS onboarding record — "+firmWords(in), firmWords(in), in.FileName)}
	s.d.SetSubject(trailSubject(in.Entries), false) // ASCII; verify-packet reads it back
	s.d.SetCreationDate(in.Made)
	s.d.SetModificationDate(in.Made)
	s.d.AddPage()
	s.titleBlock()
	s.d.section("Onboarding steps", 25)
	for _, st := range in.Steps {
		s.step(st)
	}
	s.check()
	s.roadmaps(files)
	s.log()
	var buf bytes.Buffer
	if err := s.d.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type summary struct {
	in    dialogs.PacketInput
	d     *doc
	files []RoadmapFile
}

func (s *summary) when(t time.Time) string {
	return t.In(s.in.Loc).Format("Jan 2, 2006, 15:04 MST")
}

// who is a person as the packet names them: display name and id.
func who(p dialogs.PacketPerson) string {
	switch {
	case p.ID == "":
		return "caisbot (automatic)"
	case p.Name == "":
		return p.ID + " (no name recorded)"
	case p.LookedUp:
		return p.Name + " (" + p.ID + "; name looked up when the packet was made)"
	}
	return p.Name + " (" + p.ID + ")"
}

// event is who did something, when, in which entry.
func (s *summary) event(e dialogs.PacketEvent) string {
	out := who(e.By) + " — " + s.when(e.At)
	if e.Seq > 0 {
		out += " (entry " + strconv.FormatInt(e.Seq, 10) + ")"
	}
	return out
}

func (s *summary) titleBlock() {
	d, in := s.d, s.in
	d.font("", smallPt, muted)
	d.CellFormat(textW, lineH, "CAT CUSTOMER AND ACCOUNT INFORMATION SYSTEM (CAIS) — ONBOARDING RECORD", "", 1, "L", false, 0, "")
	d.Ln(1)
	d.font("B", 18, navy)
	for _, l := range d.lines(in.Firm, textW) {
		d.CellFormat(textW, 8.5, l, "", 1, "L", false, 0, "")
	}
	d.font("", 11, ink)
	if in.Profile != nil {
		d.CellFormat(textW, 6, "FINRA CRD "+clean(in.Profile.CRD), "", 1, "L", false, 0, "")
	} else {
		d.CellFormat(textW, 6, "No firm profile recorded: named by its chat workspace", "", 1, "L", false, 0, "")
	}
	d.Ln(3)
	d.hr()
	d.Ln(2)
	d.row("Packet made", s.when(in.Made), ink)
	if len(in.Roadmaps) > 0 {
		r := in.Roadmaps[0]
		d.row("Roadmap", "version "+r.Version+" (SHA-256 "+short(r.SHA256)+"…)", ink)
	}
	d.row("Where the firm is", s.in.Standing, ink)
	d.row("Audit trail", nounsOf(in.Check.Entries, "entry", "entries")+"; latest hash "+orNone(in.Check.Head), ink)
	if in.Check.Intact {
		d.row("Record check", "✓ Intact: the hash chain is unbroken and the stored progress is what the trail records.", okInk)
	} else {
		d.row("Record check", fmt.Sprintf("⚠ FAILED: %s (listed under “Record check” below).", nounsOf(len(in.Check.Problems), "problem", "problems")), badInk)
	}
	d.Ln(2)
	d.hr()
	d.Ln(1)
	d.para("This summary is generated from the firm's audit trail. The files audit.csv and audit.jsonl in this packet hold every entry with its SHA-256 hash chain; README.txt explains how to check them and MANIFEST.sha256 without caisbot.", "", smallPt, muted)
}

func (s *summary) step(st dialogs.PacketStep) {
	d := s.d
	d.Ln(2)
	d.bar(st.Heading)
	// Answers sent back come first: each was given before the answer
	// that stands.
	for _, e := range st.SentBack {
		d.row("Sent back", s.event(e)+"\n"+e.Text, badInk)
	}
	switch {
	case st.Kept && st.Ahead:
		d.row("Status", "Not confirmed: a later step, still open (shown for what was kept for it).", muted)
	case st.Kept:
		d.row("Status", "Not confirmed: not reached on the answers recorded now (shown for what was kept for it).", muted)
	case st.Confirmed == nil:
		d.row("Status", "Open: the firm's current step, not yet confirmed.", muted)
	default:
		label := "Answer"
		if st.Branch {
			label = "Answer (branch)"
		}
		d.row(label, st.Answer, ink)
		if len(st.Agents) > 0 {
			d.row("Reporting agents", strings.Join(st.Agents, "; "), ink)
		}
		if st.Agent != "" {
			d.row("For agent", st.Agent, ink)
		}
		d.row("Confirmed by", s.event(*st.Confirmed), ink)
		s.stepRoadmap(st.Roadmap)
	}
	if st.Approved != nil {
		d.row("Approved by", s.event(*st.Approved), ink)
	}
	for _, e := range st.AgentsChanged { // made after the confirmation and its approval
		d.row("Agents changed", e.Text+"\n"+s.event(e), ink)
	}
	for _, e := range st.Evidence {
		d.row("Evidence", s.evidence(e), ink)
	}
	for _, e := range st.Waits {
		d.row("Wait", e.Text+"\n"+s.event(e), ink)
	}
}

// stepRoadmap names the roadmap a step was confirmed against when it is
// not the one running now (whose version the title block gives).
func (s *summary) stepRoadmap(ref string) {
	for i, r := range s.in.Roadmaps {
		if r.Ref != ref || r.Running {
			continue
		}
		where := s.files[i].Name
		if where == "" {
			where = "its text is not in this packet"
		}
		if r.BeforeRefs {
			s.d.row("Roadmap", "the one caisbot embedded before entries named their roadmap ("+where+")", ink)
			continue
		}
		s.d.row("Roadmap", "version "+r.Version+" ("+where+")", ink)
	}
}

func (s *summary) evidence(e dialogs.PacketEvidence) string {
	var parts []string
	if e.Ref != "" {
		parts = append(parts, "Reference: "+e.Ref)
	}
	if e.Link != "" {
		parts = append(parts, "Link (as typed, not followed): "+e.Link)
	}
	if e.Note != "" {
		parts = append(parts, "Note: "+e.Note)
	}
	parts = append(parts, "Added by "+s.event(e.PacketEvent))
	return strings.Join(parts, "\n")
}

func (s *summary) check() {
	d, c := s.d, s.in.Check
	d.section("Record check", 10)
	if c.Intact {
		d.para(fmt.Sprintf("✓ Intact. All %s are chained by SHA-256 from the first, and replaying them gives exactly the stored progress (what the chat cards and status show). Latest hash: %s", nounsOf(c.Entries, "audit entry", "audit entries"), orNone(c.Head)), "", bodyPt, okInk)
		return
	}
	d.para("⚠ The record failed its check when this packet was made:", "B", bodyPt, badInk)
	for _, p := range c.Problems {
		d.bullet(p, badInk)
	}
}

func (s *summary) roadmaps(files []RoadmapFile) {
	d := s.d
	d.section("Roadmaps", 25)
	d.para("Each audit entry names the roadmap it was made against: its version and the SHA-256 of its text. Each text is in this packet:", "", bodyPt, ink)
	d.Ln(1)
	for i, r := range s.in.Roadmaps {
		where := files[i].Name
		if where == "" {
			where = "not in this packet: " + r.Missing
		}
		label := "Version " + r.Version
		switch {
		case r.Running:
			where += " (the roadmap caisbot ran with when the packet was made)"
		case r.BeforeRefs:
			label, where = "No version", where+" (entries with an empty roadmap column were made against it: caisbot embedded it before entries named their roadmap)"
		}
		d.row(label, where+"\nSHA-256 "+r.SHA256, ink)
	}
}

// log is every audit entry in words, as a table.
func (s *summary) log() {
	d := s.d
	d.section("Audit trail in words", 15)
	cols := []float64{9, 33, 48, textW - 90}
	head := []string{"#", "When", "Who", "What"}
	header := func() {
		d.font("B", smallPt, muted)
		for i, h := range head {
			d.CellFormat(cols[i], lineH, h, "B", 0, "L", false, 0, "")
		}
		d.Ln(-1)
	}
	header()
	for _, l := range s.in.Log {
		d.font("", smallPt, ink)
		cells := [][]string{{strconv.FormatInt(l.Seq, 10)}, {l.At.In(s.in.Loc).Format("2006-01-02 15:04 MST")}, d.lines(who(l.By), cols[2]), d.lines(l.Text, cols[3])}
		n := 1
		for _, c := range cells {
			n = max(n, len(c))
		}
		if _, pageH := d.GetPageSize(); d.GetY()+float64(n)*4 > pageH-margin {
			d.AddPage()
			header()
			d.font("", smallPt, ink)
		}
		for k := range n {
			for i, c := range cells {
				text := ""
				if k < len(c) {
					text = c[k]
				}
				d.CellFormat(cols[i], 4, text, "", 0, "L", false, 0, "")
			}
			d.Ln(-1)
		}
		d.Ln(0.8)
	}
}

func short(sum string) string { return sum[:min(12, len(sum))] }
