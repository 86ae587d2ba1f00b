package packet_test

import (
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
)

// agentToCertify takes a firm to Step 6(A) on the agent path with one
// agent named as typed, approved by the principal; evidence (note as
// typed) on Step 5 before it is confirmed.
func agentToCertify(t *testing.T, r *rig, agent, note string) dialogs.Reply {
	t.Helper()
	card := r.command(t, "U0ALICE", "")
	for _, l := range []string{"Yes", "Registration submitted", "Test entitlements granted"} {
		card = r.press(t, card, l, "U0ALICE", "", nil)
	}
	card = r.press(t, card, "CAT Reporting Agent", "U0ALICE", agent, nil)
	card = r.press(t, card, "Approve", "U0CAROL", "", nil)
	card = r.press(t, card, "Add evidence", "U0ALICE", "", map[string]string{dialogs.EvidenceRef: "REF-1", dialogs.EvidenceNote: note})
	return r.press(t, card, "Test relationships saved", "U0ALICE", "", nil)
}

// flatPDF is summary.pdf's text with every run of white space as one
// space.
func flatPDF(t *testing.T, files map[string][]byte) string {
	t.Helper()
	return strings.Join(strings.Fields(pdfText(t, files)), " ")
}

// The summary shows names and notes exactly as typed, everywhere: the
// PDF renders no markup, so nothing in it is neutralised.
func TestSummaryShowsWhatWasTyped(t *testing.T) {
	const agent, note = "*Bold* _it_ <!channel> `x`", "*email* from FINRA CAT _x_"
	r := newRig(t)
	card := agentToCertify(t, r, agent, note)
	r.press(t, card, "Agent certified", "U0ALICE", "", nil)
	_, files := r.packet(t)
	flat := flatPDF(t, files)
	log := flat[strings.Index(flat, "Audit trail in words"):]
	for _, w := range []string{
		"confirmed Step 4 for a principal's approval (CAT Reporting Agent: “" + agent + "”)",
		"(Agent certified: " + agent + ")",
		"added evidence to Step 5: reference REF-1 · note: " + note,
	} {
		if !strings.Contains(log, w) {
			t.Errorf("the audit trail in words lacks %q:\n%s", w, log)
		}
	}
	if i := strings.IndexAny(flat, "\u2217\u02cd\u02cb\u223c"); i >= 0 {
		t.Errorf("summary.pdf shows look-alike characters for what was typed: %q", flat[max(0, i-60):i+60])
	}
}

// stepsSection is the summary's "Onboarding steps" section, flattened.
func stepsSection(t *testing.T, flat string) string {
	t.Helper()
	start := strings.Index(flat, "Onboarding steps")
	end := strings.Index(flat[max(start, 0):], "Record check")
	if start < 0 || end < 0 {
		t.Fatalf("no steps section:\n%s", flat)
	}
	return flat[start : start+end]
}

// A request sent back never started a wait: only the answer approved
// shows one, under the step that waits.
func TestSummaryWaitOnlyOnceApproved(t *testing.T) {
	r := newRig(t)
	card := r.press(t, agentToCertify(t, r, "Acme Clearing LLC", "n"), "Agent certified", "U0ALICE", "", nil)
	card = r.press(t, card, "Certification requested", "U0BOB", "", map[string]string{"ref": "CASE-<123>&", "follow_up": "2026-12-10"})
	card = r.press(t, card, "Send back", "U0CAROL", "", map[string]string{dialogs.SendBackReason: "Wrong case"})
	card = r.press(t, card, "Certification requested", "U0BOB", "", map[string]string{"ref": "HD-555", "follow_up": "2026-12-10"})
	r.press(t, card, "Approve", "U0CAROL", "", nil)
	_, files := r.packet(t)
	steps := stepsSection(t, flatPDF(t, files))
	if n := strings.Count(steps, "Set: waiting on FINRA CAT"); n != 1 || !strings.Contains(steps, "Set: waiting on FINRA CAT (reference: HD-555), follow-up 2026-12-10") {
		t.Errorf("want one wait on FINRA CAT, HD-555's; %d shown:\n%s", n, steps)
	}
	if strings.Contains(steps, "CASE-<123>&") {
		t.Errorf("the steps show the request sent back as a wait:\n%s", steps)
	}
}

// Evidence stays through a reset, as status shows it: the summary shows
// it under its step, which it marks not confirmed (the reset took the
// confirmation back), and invents no confirmation.
func TestSummaryKeepsEvidenceThroughReset(t *testing.T) {
	r := newRig(t)
	card := r.press(t, agentToCertify(t, r, "Acme Clearing LLC", "relationship saved"), "Agent certified", "U0ALICE", "", nil)
	r.press(t, card, "Add evidence", "U0ALICE", "", map[string]string{dialogs.EvidenceRef: "CERT-EV-9"})
	r.press(t, r.command(t, admin, "reset"), "Reset all progress", admin, "", nil)
	card = r.command(t, "U0ALICE", "")
	for _, l := range []string{"Yes", "Registration submitted"} {
		card = r.press(t, card, l, "U0ALICE", "", nil)
	}
	if status := r.command(t, "U0ALICE", "status"); !strings.Contains(status.Parts[1].Text, "CERT-EV-9") {
		t.Fatalf("status does not show the evidence: %+v", status.Parts)
	}
	_, files := r.packet(t)
	steps := stepsSection(t, flatPDF(t, files))
	req, _ := dialogs.Default().Step("certify_agent_requested")
	at := strings.Index(steps, req.Heading())
	if at < 0 {
		t.Fatalf("the steps lack %q:\n%s", req.Heading(), steps)
	}
	for _, w := range []string{"Status Not confirmed: a later step, still open", "Evidence Reference: CERT-EV-9 Added by Alice Example (U0ALICE)"} {
		if !strings.Contains(steps[at:], w) {
			t.Errorf("6(A)'s request lacks %q:\n%s", w, steps[at:])
		}
	}
	if strings.Contains(steps[at:], "Confirmed by") || !strings.Contains(steps, "Note: relationship saved") {
		t.Errorf("want Step 5's evidence and no confirmation after the reset:\n%s", steps)
	}
}

// A character the embedded fonts do not draw prints as its code point,
// never as a box or "�"; audit.csv keeps it.
func TestSummaryPrintsWhatTheFontLacksAsCodePoints(t *testing.T) {
	r := newRig(t)
	r.press(t, r.command(t, admin, "profile"), "Set profile…", admin, "", map[string]string{dialogs.ProfileName: "東京 Securities 🚀", dialogs.ProfileCRD: "123456"})
	agentToCertify(t, r, "🚀 Rocket Bureau", "n")
	_, files := r.packet(t)
	flat := flatPDF(t, files)
	for _, w := range []string{"[U+6771][U+4EAC] Securities [U+1F680]", "Reporting agents [U+1F680] Rocket Bureau"} {
		if !strings.Contains(flat, w) {
			t.Errorf("summary.pdf lacks %q:\n%s", w, flat)
		}
	}
	if strings.ContainsAny(flat, "\uFFFD東") {
		t.Errorf("summary.pdf shows a character it cannot draw:\n%s", flat)
	}
	if csv := string(files["audit.csv"]); !strings.Contains(csv, "🚀 Rocket Bureau") || !strings.Contains(csv, "東京 Securities 🚀") {
		t.Errorf("audit.csv lost a character:\n%s", csv)
	}
}
