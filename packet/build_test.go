package packet_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/packet"
)

// Text a firm may type — any script, emoji, a link with no spaces far
// wider than a page, a note of many lines — lays out without error, and
// the packet still verifies.
func TestBuildLaysOutAnyText(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("a", 600)
	odd := "株式会社 Ünïcødé — شركة 🚀 <b>&amp;</b>"
	by := dialogs.PacketPerson{ID: "U1", Name: odd}
	ev := dialogs.PacketEvent{By: by, At: time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC), Seq: 1, Text: odd}
	st := dialogs.PacketStep{ID: "obligation", Heading: strings.Repeat("Step 1: a very long heading ", 12), Answer: odd, Confirmed: &ev, Approved: &ev,
		SentBack: []dialogs.PacketEvent{ev}, Waits: []dialogs.PacketEvent{ev},
		Evidence: []dialogs.PacketEvidence{{PacketEvent: ev, Ref: odd, Link: long, Note: strings.Repeat("line\n", 80)}}}
	var steps []dialogs.PacketStep
	for range 12 {
		steps = append(steps, st)
	}
	for _, loc := range []*time.Location{nil, time.UTC} {
		in := dialogs.PacketInput{FileName: "p.zip", Firm: odd, Made: ev.At, Loc: loc, Steps: steps,
			CSV:      []byte(strings.Join(dialogs.ExportColumns(), ",") + "\n"),
			Roadmaps: []dialogs.PacketRoadmap{{Ref: "v@sha256:" + strings.Repeat("0", 64), Version: "../v 1", SHA256: strings.Repeat("0", 64), Text: []byte("x"), Running: true}},
			Log:      []dialogs.PacketLine{{PacketEvent: ev, Action: "confirm"}},
			Check:    dialogs.PacketCheck{Problems: []string{long, odd}},
		}
		b, err := packet.Build(in)
		if err != nil {
			t.Fatalf("loc %v: %v", loc, err)
		}
		files := unzipAll(t, b)
		if dir := os.Getenv("PACKET_DUMP"); dir != "" {
			_ = os.WriteFile(dir+"/stress.pdf", files[packet.SummaryName], 0o644)
		}
		if _, ok := files["roadmap-.._v_1.yaml"]; !ok {
			t.Errorf("a version with a slash and a space: files %v", sorted(files))
		}
		if _, err := packet.VerifyBytes("p.zip", b); err != nil {
			t.Errorf("verify: %v", err)
		}
	}
}
