package dialogs

import (
	"context"
	"fmt"
	"time"

	"github.com/caisbot/caisbot/firm"
)

// Packager makes the exam packet (package packet) from what the Service
// read and checked. dialogs knows only this seam; internal/app sets it on
// the Service.
type Packager interface {
	Pack(ctx context.Context, in PacketInput) (*File, error)
}

// PacketInput is everything the exam packet holds and shows.
type PacketInput struct {
	// FileName is the packet's name (PacketFileName).
	FileName string
	// Firm names the firm in words: its legal name when a profile exists
	// (Profile), else the workspace (and channel) name or the firm's key.
	Firm    string
	Profile *Profile
	// Made is when the packet was made; Loc is the time zone it shows
	// times in.
	Made time.Time
	Loc  *time.Location
	// Progress is the stored progress; Entries the whole stored trail.
	Progress Progress
	Entries  []Entry
	// CSV is audit.csv: the export's CSV, byte for byte.
	CSV []byte
	// Roadmaps are the roadmap running now and every roadmap an entry
	// names, in that order.
	Roadmaps []PacketRoadmap
	// Steps are the confirmed steps in order, then the open one, then
	// any other that keeps evidence or a wait (Kept).
	Steps []PacketStep
	// Standing is where the firm is now, as the roadmap words it.
	Standing string
	// Log is every entry in words, for the summary's record of changes.
	Log   []PacketLine
	Check PacketCheck
}

// PacketRoadmap is one roadmap text the trail names.
type PacketRoadmap struct {
	// Ref is how entries name it (RoadmapRef); Version and SHA256 its parts.
	Ref, Version, SHA256 string
	// Text is the YAML byte for byte; nil when it could not be read back,
	// and Missing then says why.
	Text    []byte
	Missing string
	// Running says it is the roadmap caisbot runs with now; BeforeRefs
	// that it is the one entries naming no roadmap were made against
	// (RoadmapBeforeRefs; Ref is then "").
	Running, BeforeRefs bool
}

// PacketPerson is someone named in the packet: their id and the display
// name the entry recorded, or, for an entry that recorded none, the one
// the platform gave when the packet was made (LookedUp); Name is "" when
// neither is known.
type PacketPerson struct {
	ID, Name string
	LookedUp bool
}

// PacketEvent is one thing done to a step: who, when, in which entry,
// and, for waits and send-backs, what (plain text).
type PacketEvent struct {
	By   PacketPerson
	At   time.Time
	Seq  int64
	Text string
}

// PacketEvidence is one piece of evidence kept for a step.
type PacketEvidence struct {
	PacketEvent
	Ref, Link, Note string
}

// PacketStep is a step as the packet shows it. Confirmed is nil for the
// step still open; Approved is nil when no approval was recorded.
type PacketStep struct {
	ID string
	// Kept says the step is neither confirmed now nor the current one
	// and is shown for what it keeps (evidence, a wait), as status shows
	// it; Ahead then says the recorded answers still lead to it.
	Kept, Ahead bool
	// Heading is the step as the roadmap its confirmation named words it.
	Heading string
	// Answer is the chosen answer's label; Branch says the step offered
	// more than one way on.
	Answer string
	Branch bool
	// Agents are the CAT Reporting Agents as the confirmation named
	// them; AgentsChanged are the later changes to the list, in order.
	Agents        []string
	AgentsChanged []PacketEvent
	Agent         string
	// Roadmap is the Ref of the roadmap the step was confirmed against.
	Roadmap   string
	Confirmed *PacketEvent
	Approved  *PacketEvent
	SentBack  []PacketEvent
	Evidence  []PacketEvidence
	Waits     []PacketEvent
}

// PacketLine is one audit entry in words.
type PacketLine struct {
	PacketEvent
	Action string
}

// PacketCheck is verify's result when the packet was made: Intact, or
// each problem in plain words.
type PacketCheck struct {
	Intact   bool
	Entries  int
	Head     string
	Problems []string
}

// PacketFileName is "cais-exam-packet-<firm>-<YYYY-MM-DD>.zip": <firm> is
// ProfileSlug when the firm has a profile, else the slug of place (the
// workspace and channel name) followed by that of the firm's key, which
// keeps two firms of the same name apart.
func PacketFileName(f firm.ID, pr *Profile, place string, day string) string {
	name := Slug(f.Key())
	if s := Slug(place); s != "" {
		name = s + "-" + name
	}
	if pr != nil {
		name = ProfileSlug(*pr)
	}
	return "cais-exam-packet-" + name + "-" + day + ".zip"
}

// packet answers `packet`: the record read whole, checked as verify
// checks it, and handed to the Packager. Anyone who may export may ask.
func (s *Service) packet(ctx context.Context, f firm.ID, ev Event) (Reply, error) {
	if s.Packager == nil {
		return Notice("Exam packet unavailable", "This caisbot is not set up to make exam packets. Nothing was changed. `{cmd} export` gives the full audit trail as a CSV file."), nil
	}
	p, entries, err := s.Store.Trail(ctx, f)
	if err != nil {
		return Reply{}, s.noteIntegrity("request", err)
	}
	k, err := s.entryRoadmaps(ctx, entries)
	if err != nil {
		return Reply{}, s.noteIntegrity("request", err)
	}
	in := s.packetInput(ctx, f, ev, p, entries, k)
	if !in.Check.Intact {
		_ = s.noteIntegrity("verify", ErrIntegrity)
	}
	file, err := s.Packager.Pack(ctx, in)
	if err != nil {
		// Not a storage problem: say what failed rather than "try again".
		return Notice("Exam packet not made", "caisbot could not make the exam packet ("+Lit(err.Error())+"). Nothing was changed. `{cmd} export` still gives the audit trail as a CSV file; please tell your administrator."), nil
	}
	file.Kind = FilePacket
	r := Notice("Exam packet", fmt.Sprintf("The exam packet (a PDF summary, the audit trail of %s as CSV and JSON lines, %s, a SHA-256 manifest and instructions) is attached as `%s`. An examiner can check it without caisbot: `caisbot verify-packet` or the steps in its README.txt.",
		nouns(len(entries), "entry", "entries"), nouns(len(in.Roadmaps), "roadmap", "roadmaps"), file.Name))
	if !in.Check.Intact {
		r.context("⚠️ The record failed its check; the packet lists each problem. Run `{cmd} verify` and contact your administrator.")
	}
	r.File = file
	return r, nil
}

// packetInput gathers what the packet shows; k holds the roadmaps the
// entries name.
func (s *Service) packetInput(ctx context.Context, f firm.ID, ev Event, p Progress, entries []Entry, k entryRoadmaps) PacketInput {
	label := f.Key()
	if ev.Place != "" {
		label = ev.Place
	}
	if p.Profile != nil {
		label = p.Profile.Name
	}
	pk := packer{Service: s, ctx: ctx, names: ev.Names, looked: map[string]PacketPerson{}, k: k, entries: entries}
	in := PacketInput{
		FileName: PacketFileName(f, p.Profile, ev.Place, ev.At.In(s.Flow.Loc).Format(time.DateOnly)),
		Firm:     label, Profile: p.Profile, Made: ev.At, Loc: s.Flow.Loc,
		Progress: p, Entries: entries, Roadmaps: k.packetRoadmaps(),
		CSV:   s.Flow.ExportProfile(label, p.Profile, entries, ev.At).File.Content,
		Check: s.packetCheck(p, entries, k),
	}
	in.Steps, in.Standing = pk.steps(p)
	in.Log = pk.log()
	return in
}

// packetCheck is verify's check of the record, in plain words.
func (s *Service) packetCheck(p Progress, entries []Entry, k entryRoadmaps) PacketCheck {
	c := PacketCheck{Entries: len(entries), Head: p.Head}
	if b := VerifyChain(entries, p.Head); b != nil {
		c.Problems = []string{PlainText(b.Error())}
		return c
	}
	for _, d := range s.Flow.Differences(p, k.replay(entries)) {
		c.Problems = append(c.Problems, PlainText(d))
	}
	c.Intact = len(c.Problems) == 0
	return c
}

// packetRoadmaps lists the running roadmap, then each one entries name.
func (k entryRoadmaps) packetRoadmaps() []PacketRoadmap {
	out := []PacketRoadmap{{Ref: k.current.Ref(), Version: k.current.Version, SHA256: k.current.SHA256(), Text: k.current.Text(), Running: true}}
	for _, ref := range k.order {
		if ref == k.current.Ref() {
			continue
		}
		version, sum, _ := SplitRoadmapRef(ref)
		pr := PacketRoadmap{Ref: ref, Version: version, SHA256: sum, Missing: k.missing[ref]}
		if r := k.byRef[ref]; r != nil {
			pr.Text = r.Text()
		}
		if pr.Missing != "" {
			pr.Missing = PlainText(pr.Missing)
		}
		out = append(out, pr)
	}
	if k.unnamed {
		before, text := RoadmapBeforeRefs()
		out = append(out, PacketRoadmap{SHA256: before.SHA256(), Text: text, BeforeRefs: true})
	}
	return out
}
