package dialogs

import (
	"context"
	"strings"
	"testing"
)

func evidenceValues(ref, link, note string) map[string]string {
	return map[string]string{EvidenceRef: ref, EvidenceLink: link, EvidenceNote: note}
}

func TestEvidenceOnTheCurrentStep(t *testing.T) {
	s, m := newService(t)
	card := submitForm(t, s, command(t, s, "U1", ""), "Add evidence", "U1", evidenceValues(" HD-123 ", "https://example.com/t/123?a=1&b=2", "Helpdesk confirmed by email"))
	want := "↳ Evidence: reference HD-123 · link `https://example.com/t/123?a=1&b=2` · note: Helpdesk confirmed by email — added by @{U1}"
	if !strings.Contains(body(card), want) || !card.Replace {
		t.Errorf("card after adding evidence lacks %q:\n%s", want, body(card))
	}
	if !strings.Contains(card.Public, "added evidence to **Step 1") {
		t.Errorf("public line = %q", card.Public)
	}
	if !strings.Contains(body(command(t, s, "U2", "status")), want) {
		t.Errorf("status lacks the evidence:\n%s", body(command(t, s, "U2", "status")))
	}
	if h := body(command(t, s, "U2", "history")); !strings.Contains(h, "added evidence to Step 1: reference HD-123") {
		t.Errorf("history:\n%s", h)
	}
	tr := trail(m)
	if len(tr) != 1 || tr[0].Action != ActEvidence || tr[0].Step != "obligation" {
		t.Fatalf("trail = %+v", tr)
	}
	assertReplaysTo(t, s.Flow, stored(m), tr)
	if v := body(command(t, s, "U2", "verify")); !strings.Contains(v, "✅") {
		t.Errorf("verify:\n%s", v)
	}
}

func TestEvidenceFormRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, ref, link, field, want string
	}{
		{"nothing", "", "", EvidenceRef, "Give a reference or a link"},
		{"not http", "", "javascript:alert(1)", EvidenceLink, "must start with https://"},
		{"no site", "", "https:///x", EvidenceLink, "must start with https://"},
		{"spoofed markup", "", "<https://evil.example|Helpdesk>", EvidenceLink, "without spaces, brackets or quotes"},
		{"markdown", "", "[Helpdesk](https://evil.example)", EvidenceLink, "without spaces, brackets or quotes"},
		{"space", "", "https://example.com/a b", EvidenceLink, "without spaces"},
		{"user before site", "", "https://helpdesk.finracat.com@evil.example/", EvidenceLink, "user name before the site"},
		{"too long", strings.Repeat("x", maxEvidenceRef+1), "", EvidenceRef, "At most 200 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			r := submitForm(t, s, command(t, s, "U1", ""), "Add evidence", "U1", evidenceValues(tc.ref, tc.link, ""))
			if r.Form == nil || r.FormField != tc.field || !strings.Contains(r.FormError, tc.want) {
				t.Errorf("form error %q on %q, want %q on %q", r.FormError, r.FormField, tc.want, tc.field)
			}
			if n := len(trail(m)); n != 0 {
				t.Errorf("%d audit entries, want none", n)
			}
		})
	}
}

func TestEvidenceForAConfirmedStepByCommand(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes", "Registration submitted")
	r := command(t, s, "U2", "evidence 2")
	if !strings.Contains(r.Title, "Step 2") || !hasLabel(r, "Add evidence") {
		t.Fatalf("evidence 2: %s %v", body(r), labels(r))
	}
	out := submitForm(t, s, r, "Add evidence", "U2", evidenceValues("CAIS-REG-77", "", ""))
	if out.Title != "Evidence added" || !strings.Contains(body(out), "reference CAIS-REG-77") {
		t.Errorf("reply:\n%s", body(out))
	}
	st := body(command(t, s, "U1", "status"))
	step2, rest, _ := strings.Cut(st[strings.Index(st, "Step 2:"):], "Step 3:")
	if !strings.Contains(step2, "reference CAIS-REG-77") || strings.Contains(rest, "CAIS-REG-77") {
		t.Errorf("the evidence is not listed under Step 2:\n%s", st)
	}
	// The same submission again (a double click) is recorded once.
	again, err := s.Click(context.Background(), testFirm, Event{User: "U2", Values: evidenceValues("CAIS-REG-77", "", ""), Submitted: true}, press(t, s, r, "Add evidence", "U2", "").FormToken)
	if err != nil || !strings.Contains(body(again), "already has this evidence") {
		t.Errorf("again: %v\n%s", err, body(again))
	}
	if n := len(trail(m)); n != 3 {
		t.Errorf("%d audit entries, want 3", n)
	}
	assertReplaysTo(t, s.Flow, stored(m), trail(m))
}

func TestEvidenceCommandRefusals(t *testing.T) {
	s, _ := newService(t)
	for _, tc := range []struct{ text, want string }{
		{"evidence", "Usage: `{cmd} evidence <step>`"},
		{"evidence 9", `There is no step "9"`},
		{"evidence 5", "Step 5 is neither confirmed nor the current step"},
	} {
		r := command(t, s, "U1", tc.text)
		if !strings.Contains(body(r), tc.want) || len(r.Actions) != 0 {
			t.Errorf("%s:\n%s", tc.text, body(r))
		}
	}
	if h := body(command(t, s, "U1", "help")); !strings.Contains(h, "`{cmd} evidence <step>`") {
		t.Errorf("help lacks evidence:\n%s", h)
	}
}

func TestVerifyNamesEditedEvidence(t *testing.T) {
	s, m := newService(t)
	submitForm(t, s, command(t, s, "U1", ""), "Add evidence", "U1", evidenceValues("HD-1", "", ""))
	p := stored(m)
	p.Evidence["obligation"][0].Ref = "HD-999"
	d := s.Flow.Differences(p, Replay(s.Flow.Roadmap, trail(m)))
	if len(d) != 1 || !strings.Contains(d[0], "reference HD-999") || !strings.Contains(d[0], "the trail says reference HD-1") || !strings.Contains(d[0], "(entry 1)") {
		t.Errorf("differences = %q", d)
	}
}
