package packet_test

import (
	"bytes"
	"maps"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/packet"
)

// summary.pdf is what an examiner reads: verify-packet refuses a packet
// whose summary names another trail, or none though README.txt says it
// does, and says plainly that the pages' text is not checked.
func TestVerifyPacketChecksSummaryNamesTheTrail(t *testing.T) {
	_, a := freshPacket(t)
	r := newRig(t) // another firm, a shorter trail
	agentToCertify(t, r, "Acme Clearing LLC", "n")
	_, b := r.packet(t)
	renamed := func(t *testing.T, f map[string][]byte, from, to string) {
		t.Helper()
		if !bytes.Contains(f[packet.SummaryName], []byte(from)) {
			t.Fatalf("summary.pdf lacks %q", from)
		}
		f[packet.SummaryName] = bytes.Replace(f[packet.SummaryName], []byte(from), []byte(to), 1)
	}
	cases := []struct {
		name, want string
		edit       func(t *testing.T, f map[string][]byte)
	}{
		{"another packet's summary", "summary.pdf was made from another audit trail: it names 19 entries, latest hash " + lastHash(t, a) + "; audit.jsonl holds 7 entries, latest hash " + lastHash(t, b),
			func(_ *testing.T, f map[string][]byte) { f[packet.SummaryName] = a[packet.SummaryName] }},
		{"a summary naming no trail", "summary.pdf does not name the audit trail it was made from, though README.txt says it does (it was replaced or re-saved)",
			func(t *testing.T, f map[string][]byte) {
				renamed(t, f, "/Subject (CAIS audit trail", "/Subject (XXXX audit trail")
			}},
		{"no summary", "the packet has no summary.pdf", func(_ *testing.T, f map[string][]byte) { delete(f, packet.SummaryName) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := maps.Clone(b)
			c.edit(t, f)
			if ok, err := packet.VerifyBytes("b.zip", rezip(t, f, true)); err == nil || err.Error() != c.want {
				t.Errorf("got %q, %v; want %q", ok, err, c.want)
			}
		})
	}
	ok, err := packet.VerifyBytes("b.zip", rezip(t, maps.Clone(b), true))
	if err != nil || !strings.Contains(ok, "; summary.pdf names this trail (its document properties; its printed text is not checked); roadmap") {
		t.Errorf("b's own summary: %q, %v", ok, err)
	}
	// A packet made before summaries named their trail: not accused,
	// and the line says what was not checked.
	older := maps.Clone(b)
	renamed(t, older, "/Subject (CAIS audit trail", "/Subject (XXXX audit trail")
	older[packet.ReadmeName] = bytes.Replace(older[packet.ReadmeName], []byte("summary.pdf names the audit trail it was made from"), []byte("(older packet)"), 1)
	if ok, err := packet.VerifyBytes("b.zip", rezip(t, older, true)); err != nil || !strings.Contains(ok, "summary.pdf not checked: it names no audit trail") {
		t.Errorf("an older packet: %q, %v", ok, err)
	}
}

// lastHash is audit.jsonl's latest hash.
func lastHash(t *testing.T, files map[string][]byte) string {
	t.Helper()
	entries, err := packet.ParseJSONL(files[packet.JSONLName])
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit.jsonl: %v", err)
	}
	return entries[len(entries)-1].Hash
}
