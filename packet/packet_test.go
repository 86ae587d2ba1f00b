package packet_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/packet"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func sorted[V any](m map[string]V) []string {
	var names []string
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// tool returns the path of a command the test needs; without it the
// test skips locally but fails in CI, where .ci/run installs it.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing in CI (install %s in .ci/run)", name, pkg)
		}
		t.Skipf("%s is not installed (Debian: %s)", name, pkg)
	}
	return path
}

// extract writes files into a new directory and returns it.
func extract(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPacketOfAFullJourney(t *testing.T) {
	r := newRig(t)
	r.journey(t)
	reply, files := r.packet(t)
	if want := "cais-exam-packet-example-securities-llc-crd123456-2026-11-24.zip"; reply.File.Name != want || reply.File.Kind != dialogs.FilePacket {
		t.Errorf("file %q kind %v, want %q, a packet", reply.File.Name, reply.File.Kind, want)
	}
	if text := reply.Parts[0].Text; !strings.Contains(text, "`"+reply.File.Name+"`") {
		t.Errorf("the reply does not name the file: %s", text)
	}
	roadmapFile := "roadmap-" + dialogs.Default().Version + ".yaml"
	want := []string{packet.ManifestName, packet.ReadmeName, packet.CSVName, packet.JSONLName, roadmapFile, packet.SummaryName}
	if got := sorted(files); !slices.Equal(got, sorted(setOf(want))) {
		t.Fatalf("the packet holds %v, want %v", got, sorted(setOf(want)))
	}
	if !bytes.Equal(files[roadmapFile], dialogs.Default().Text()) {
		t.Error("the roadmap file is not the roadmap's text byte for byte")
	}
	if export := r.command(t, "U0ALICE", "export"); !bytes.Equal(files[packet.CSVName], export.File.Content) {
		t.Error("audit.csv differs from the export's CSV")
	}
	assertJSONLAsStored(t, r, files[packet.JSONLName])
	assertManifest(t, files)
	if _, err := packet.VerifyBytes("p.zip", reply.File.Content); err != nil {
		t.Errorf("verify-packet rejects a fresh packet: %v", err)
	}
	if len(reply.File.Content) > 1<<20 {
		t.Errorf("the packet is %d bytes, over 1 MiB", len(reply.File.Content))
	}
	readme := string(files[packet.ReadmeName])
	for _, w := range []string{"Example Securities, LLC (CRD 123456)", "sha256sum -c MANIFEST.sha256", "ten fields", "twelve fields",
		dialogs.Default().Ref() + "  ->  " + roadmapFile, "caisbot verify-packet " + reply.File.Name} {
		if !strings.Contains(readme, w) {
			t.Errorf("README.txt lacks %q", w)
		}
	}
	runChainScript(t, files)
}

func setOf(names []string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// assertJSONLAsStored checks audit.jsonl line by line against the audit
// list in Redis, byte for byte.
func assertJSONLAsStored(t *testing.T, r *rig, jsonl []byte) {
	t.Helper()
	var stored []string
	for _, key := range r.rdb.Keys(context.Background(), r.keys+"*audit").Val() {
		stored = append(stored, r.rdb.LRange(context.Background(), key, 0, -1).Val()...)
	}
	lines := strings.Split(strings.TrimSuffix(string(jsonl), "\n"), "\n")
	if len(stored) < 15 || !slices.Equal(lines, stored) {
		t.Errorf("audit.jsonl (%d lines) is not the stored list (%d entries)", len(lines), len(stored))
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil || m["hash"] == nil || m["roadmap"] == nil {
			t.Errorf("line %q: %v", l, err)
		}
	}
}

// assertManifest checks MANIFEST.sha256 with sha256sum itself when it is
// there, and by hand always.
func assertManifest(t *testing.T, files map[string][]byte) {
	t.Helper()
	sums, err := packet.ParseManifest(files[packet.ManifestName])
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if name != packet.ManifestName && sums[name] != sha(b) {
			t.Errorf("MANIFEST: %s is %q, want %s", name, sums[name], sha(b))
		}
	}
	if len(sums) != len(files)-1 {
		t.Errorf("MANIFEST lists %d files, the packet holds %d besides it", len(sums), len(files)-1)
	}
	path, err := exec.LookPath("sha256sum")
	if err != nil {
		t.Log("sha256sum not installed: checked by hand only")
		return
	}
	cmd := exec.Command(path, "-c", packet.ManifestName)
	cmd.Dir = extract(t, files)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Count(string(out), ": OK") != len(files)-1 {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}
}

// runChainScript runs README.txt's Python recipe on the packet, when
// python3 is there: every entry OK.
func runChainScript(t *testing.T, files map[string][]byte) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("python3 not installed: README's recipe not run")
		return
	}
	readme := string(files[packet.ReadmeName])
	start := strings.Index(readme, "     import csv")
	end := strings.Index(readme, "   The latest hash")
	if start < 0 || end < start {
		t.Fatal("README.txt has no script")
	}
	var script strings.Builder
	for _, l := range strings.Split(readme[start:end], "\n") {
		script.WriteString(strings.TrimPrefix(l, "     ") + "\n")
	}
	dir := extract(t, files)
	if err := os.WriteFile(filepath.Join(dir, "chain.py"), []byte(script.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "chain.py")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasSuffix(string(out), "chain intact\n") || strings.Contains(string(out), "BROKEN") {
		t.Errorf("README's recipe: %v\n%s", err, out)
	}
}

// pdfText is summary.pdf's text as pdftotext lays it out, runs of
// spaces as one.
func pdfText(t *testing.T, files map[string][]byte) string {
	t.Helper()
	pdftotext := tool(t, "pdftotext", "poppler-utils")
	out, err := exec.Command(pdftotext, "-layout", filepath.Join(extract(t, files), packet.SummaryName), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`[ \t]+`).ReplaceAllString(string(out), " ")
}

func TestSummaryPDFText(t *testing.T) {
	r := newRig(t)
	r.journey(t)
	_, files := r.packet(t)
	text := pdfText(t, files)
	pages := strings.Count(text, "\f")
	f := dialogs.Default()
	want := []string{
		"Example Securities, LLC", "FINRA CRD 123456", "Packet made Nov 24, 2026",
		"Alice Example (U0ALICE)", "Bob Builder (U0BOB; name looked up when the packet was made)", "U0DANA (no name recorded)",
		"Approved by Carol Principal (U0CAROL)", "Sent back Carol Principal (U0CAROL)", "Answer sent back: CAT Reporting Agent, confirmed by Alice Example (U0ALICE) (entry 7)", "Reason: Name both agents, not only the clearing firm",
		"Reference: FDID-REVIEW-1", "Link (as typed, not followed): https://intranet.example.com/cais/fdid-review", "Note: The COO confirmed",
		"Set: waiting on our compliance consultant (reference: MAIL-17), follow-up 2026-12-01",
		"Set: waiting on FINRA CAT (reference: HD-4711), follow-up 2027-01-10",
		"Answer (branch) CAT Reporting Agent", "Reporting agents Acme Clearing LLC; Bureau Services Co",
		"Record check", "Roadmaps", "Audit trail in words", "Page 1 of ", "CAIS onboarding complete",
	}
	for _, id := range []string{"obligation", "register", "method", "relationship_test", "certify_agent_requested", "relationship_prod"} {
		s, _ := f.Step(id)
		want = append(want, s.Heading()[:min(len(s.Heading()), 60)])
	}
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("summary.pdf lacks %q", w)
		}
	}
	// The answer sent back reads before the confirmation that followed it.
	method, _ := f.Step("method")
	if at := strings.Index(flat, method.Heading()[:40]); at < 0 || !strings.Contains(flat[at:], "Answer sent back") ||
		strings.Contains(flat[at:at+strings.Index(flat[at:], "Answer sent back")], "Confirmed by") {
		t.Errorf("Step 4's rows out of order: %.600s", flat[max(at, 0):])
	}
	if pages < 2 || !strings.Contains(flat, "Page "+strconv.Itoa(pages)+" of "+strconv.Itoa(pages)) {
		t.Errorf("want page numbers up to %d of %d:\n%s", pages, pages, flat)
	}
}

// A trail begun by an older build (an entry naming no roadmap and no
// name, hashed with the ten-field recipe) and continued under a roadmap
// file that kept the embedded version number but changed its text: the
// packet holds both texts, told apart by hash, and still checks.
func TestPacketOfAnOlderTrailAndTwoTextsOfOneVersion(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	edited := append(dialogs.Default().Text(), []byte("\n# a local note\n")...)
	sum, _, err := r.st.KeepRoadmap(ctx, edited)
	if err != nil {
		t.Fatal(err)
	}
	version := dialogs.Default().Version
	confirm := func(step, choice, next string) func(*dialogs.Progress, time.Time) {
		return func(p *dialogs.Progress, at time.Time) {
			p.Path = append(p.Path, dialogs.Confirmation{Step: step, Choice: choice, User: "U0BOB", At: at})
			p.Current, p.Opened = next, p.Version
		}
	}
	r.commitRaw(t, dialogs.Entry{Action: "confirm", User: "U0BOB", Step: "obligation", Choice: "yes", Detail: "Yes"}, confirm("obligation", "yes", "register"))
	r.commitRaw(t, dialogs.Entry{Action: "confirm", User: "U0BOB", Name: "Bob B.", Step: "register", Choice: "submitted", Detail: "Registration submitted",
		Roadmap: version + "@sha256:" + sum}, confirm("register", "submitted", "test_entitlements"))
	reply, files := r.packet(t)
	first, second := "roadmap-"+version+"-"+sha(dialogs.Default().Text())[:12]+".yaml", "roadmap-"+version+"-"+sum[:12]+".yaml"
	if !bytes.Equal(files[first], dialogs.Default().Text()) || !bytes.Equal(files[second], edited) {
		t.Errorf("want %s and %s, the packet holds %v", first, second, sorted(files))
	}
	if readme := string(files[packet.ReadmeName]); !strings.Contains(readme, "Two roadmap texts carry the same version name") {
		t.Errorf("README.txt does not say why the roadmap files carry hashes:\n%s", readme)
	}
	if _, err := packet.VerifyBytes("p.zip", reply.File.Content); err != nil {
		t.Errorf("verify-packet: %v", err)
	}
	// The older entry was made against the roadmap builds embedded before
	// entries named one: the packet holds it, and is incomplete without it.
	if _, text := dialogs.RoadmapBeforeRefs(); !bytes.Equal(files[packet.BeforeRefsName], text) {
		t.Errorf("the packet lacks %s; it holds %v", packet.BeforeRefsName, sorted(files))
	}
	without := maps.Clone(files)
	delete(without, packet.BeforeRefsName)
	if _, err := packet.VerifyBytes("p.zip", rezip(t, without, true)); err == nil || !strings.Contains(err.Error(), "entry 1 names no roadmap, and "+packet.BeforeRefsName) {
		t.Errorf("verify-packet without %s: %v", packet.BeforeRefsName, err)
	}
	if jsonl := string(files[packet.JSONLName]); strings.Contains(strings.SplitN(jsonl, "\n", 2)[0], `"roadmap"`) {
		t.Errorf("the older entry gained a roadmap field: %s", jsonl)
	}
	runChainScript(t, files)
	if text := pdfText(t, files); !strings.Contains(text, "Roadmap version "+version+" ("+second+")") || strings.Count(text, "Roadmap version "+version+" (roadmap-") != 1 {
		t.Errorf("Step 2 does not name the roadmap it was confirmed against:\n%s", text)
	}
	if !strings.Contains(string(files[packet.ReadmeName]), "record intact") {
		t.Errorf("the record check failed:\n%s", files[packet.ReadmeName])
	}
}

// The summary lists the agents as Step 4's confirmation named them, then
// each later change with who made it, and the added agent's own 6(A)
// confirmation: never a list the confirmation did not name.
func TestSummaryAgentsAsConfirmed(t *testing.T) {
	r := newRig(t)
	card := r.command(t, "U0ALICE", "")
	for _, l := range []string{"Yes", "Registration submitted", "Test entitlements granted"} {
		card = r.press(t, card, l, "U0ALICE", "", nil)
	}
	card = r.press(t, card, "CAT Reporting Agent", "U0ALICE", "Acme Clearing LLC\nBureau Services Co", nil)
	card = r.press(t, card, "Approve", "U0CAROL", "", nil)
	for _, l := range []string{"Test relationships saved", "Agent certified", "Agent certified"} {
		card = r.press(t, card, l, "U0ALICE", "", nil)
	}
	card = r.press(t, card, "Edit agents…", "U0BOB", "", map[string]string{"agents": "Acme Clearing LLC\nBureau Services Co\nNew Agent Co"})
	r.press(t, card, "Agent certified", "U0ALICE", "", nil)
	_, files := r.packet(t)
	flat := strings.Join(strings.Fields(pdfText(t, files)), " ")
	for _, w := range []string{
		"Reporting agents Acme Clearing LLC; Bureau Services Co Confirmed by",
		"Agents changed Changed to: Acme Clearing LLC; Bureau Services Co; New Agent Co Bob Builder (U0BOB",
		"For agent New Agent Co",
	} {
		if !strings.Contains(flat, w) {
			t.Errorf("summary.pdf lacks %q:\n%s", w, flat)
		}
	}
}
