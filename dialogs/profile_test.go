package dialogs

import (
	"context"
	"strings"
	"testing"
)

func profileValues(name, crd string) map[string]string {
	return map[string]string{ProfileName: name, ProfileCRD: crd}
}

// setProfile types `profile` as user and submits its form with values.
func setProfile(t *testing.T, s *Service, user, name, crd string) Reply {
	t.Helper()
	r := command(t, s, user, "profile")
	label := "Set profile…"
	if !hasLabel(r, label) {
		label = "Change profile…"
	}
	return submitForm(t, s, r, label, user, profileValues(name, crd))
}

func TestProfileIsSetInAFormAndRecorded(t *testing.T) {
	s, m := newService(t)
	form := press(t, s, command(t, s, admin, "profile"), "Set profile…", admin, "")
	if form.Form == nil || len(form.Form.Fields) != 2 || form.Form.Fields[0].ID != ProfileName || form.Form.Fields[1].ID != ProfileCRD {
		t.Fatalf("want a two-field form, got %+v", form.Form)
	}
	out := setProfile(t, s, admin, "  Example   Securities, LLC ", "123456")
	if out.Title != "Firm profile saved" || !strings.Contains(body(out), "**Example Securities, LLC** (CRD 123456)") {
		t.Errorf("reply:\n%s", body(out))
	}
	if !strings.Contains(out.Public, "set the firm profile: **Example Securities, LLC** (CRD 123456)") {
		t.Errorf("public line %q", out.Public)
	}
	if st := body(command(t, s, "U2", "status")); !strings.Contains(st, "**Firm:** **Example Securities, LLC** (CRD 123456)") {
		t.Errorf("status lacks the profile:\n%s", st)
	}
	if h := body(command(t, s, "U2", "history")); !strings.Contains(h, "set the firm profile: **Example Securities, LLC** (CRD 123456)") {
		t.Errorf("history:\n%s", h)
	}
	tr := trail(m)
	if len(tr) != 1 || tr[0].Action != ActProfile || tr[0].Detail != `{"name":"Example Securities, LLC","crd":"123456"}` {
		t.Fatalf("trail = %+v", tr)
	}
	again := command(t, s, admin, "profile")
	if !hasLabel(again, "Change profile…") || !strings.Contains(body(again), "CRD 123456") {
		t.Errorf("profile after setting it:\n%s %v", body(again), labels(again))
	}
	if f := press(t, s, again, "Change profile…", admin, ""); f.Form.Fields[0].Value != "Example Securities, LLC" || f.Form.Fields[1].Value != "123456" {
		t.Errorf("the form is not filled with the profile: %+v", f.Form.Fields)
	}
	if same := setProfile(t, s, admin, "Example Securities, LLC", "123456"); same.Title != "Profile unchanged" || len(trail(m)) != 1 {
		t.Errorf("resubmitting the same profile: %s (%d entries)", body(same), len(trail(m)))
	}
	changed := setProfile(t, s, admin, "Example Securities LLC", "7")
	if !strings.Contains(changed.Public, "(it was **Example Securities, LLC** (CRD 123456))") || len(trail(m)) != 2 {
		t.Errorf("change: %q (%d entries)", changed.Public, len(trail(m)))
	}
}

func TestProfileFormRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, legal, crd, field, want string
	}{
		{"no name", "", "123", ProfileName, "Please fill in “Legal name”."},
		{"punctuation only", "-- .", "123", ProfileName, "legal name"},
		{"name too long", strings.Repeat("x", maxProfileName+1), "123", ProfileName, "At most 150 characters"},
		{"no crd", "Example LLC", "", ProfileCRD, "Please fill in “CRD number”."},
		{"letters", "Example LLC", "12a4", ProfileCRD, "1 to 9 digits"},
		{"ten digits", "Example LLC", "1234567890", ProfileCRD, "At most 9 characters"},
		{"sign", "Example LLC", "+123", ProfileCRD, "1 to 9 digits"},
		{"full-width digits", "Example LLC", "１２３", ProfileCRD, "1 to 9 digits"},
		{"inner space", "Example LLC", "12 34", ProfileCRD, "1 to 9 digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, m := newService(t)
			r := setProfile(t, s, admin, tc.legal, tc.crd)
			if r.Form == nil || r.FormField != tc.field || !strings.Contains(r.FormError, tc.want) {
				t.Errorf("form error %q on %q, want %q on %q", r.FormError, r.FormField, tc.want, tc.field)
			}
			if n := len(trail(m)); n != 0 {
				t.Errorf("%d audit entries, want none", n)
			}
		})
	}
}

func TestProfileRefusedToNonAdmins(t *testing.T) {
	s, m := newService(t)
	tok := Token{Kind: KindProfile}.String()
	for name, r := range map[string]Reply{
		"command": command(t, s, "U2", "profile"),
		"button":  submitAs(t, s, "U2", tok, nil),
		"submit":  submitAs(t, s, "U2", tok, profileValues("Evil LLC", "666")),
	} {
		if r.Title != "Admins only" || !strings.Contains(body(r), "Only admins can set the firm profile: @{"+admin+"}") || r.Form != nil {
			t.Errorf("%s: %s", name, body(r))
		}
	}
	if n := len(trail(m)); n != 0 {
		t.Errorf("%d audit entries, want none", n)
	}
}

func submitAs(t *testing.T, s *Service, user, value string, values map[string]string) Reply {
	t.Helper()
	r, err := s.Click(context.Background(), testFirm, Event{User: user, Values: values, Submitted: values != nil}, value)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestProfileFormOpenedBeforeAnotherChangeIsRefused(t *testing.T) {
	s, m := newService(t)
	old := press(t, s, command(t, s, admin, "profile"), "Set profile…", admin, "")
	setProfile(t, s, admin, "First Name LLC", "1")
	r := submitAs(t, s, admin, old.FormToken, profileValues("Second Name LLC", "2"))
	if r.Title != "Profile not changed" || !strings.Contains(body(r), "**First Name LLC** (CRD 1)") {
		t.Errorf("stale form: %s", body(r))
	}
	walk(t, s, "Yes") // other changes do not make a profile form stale
	fresh := press(t, s, command(t, s, admin, "profile"), "Change profile…", admin, "")
	walk(t, s, "Registration submitted")
	if r := submitAs(t, s, admin, fresh.FormToken, profileValues("Second Name LLC", "2")); r.Title != "Firm profile saved" {
		t.Errorf("form opened after the profile changed: %s", body(r))
	}
	if n := len(trail(m)); n != 4 {
		t.Errorf("%d audit entries, want 4", n)
	}
}

func TestProfileReplaysAndVerifies(t *testing.T) {
	s, m := newService(t)
	walk(t, s, "Yes")
	setProfile(t, s, admin, "Example Securities LLC", "123456")
	command(t, s, admin, "reset") // only asks; the profile outlives a reset either way
	setProfile(t, s, admin, "Example Securities LLC", "654321")
	assertReplaysTo(t, s.Flow, stored(m), trail(m))
	if v := body(command(t, s, "U2", "verify")); !strings.Contains(v, "✅") {
		t.Fatalf("verify:\n%s", v)
	}
	for name, edit := range map[string]func(*Progress){
		"crd edited":      func(p *Progress) { p.Profile.CRD = "999" },
		"profile removed": func(p *Progress) { p.Profile = nil },
		"setter edited":   func(p *Progress) { p.Profile.User = "U9" },
	} {
		t.Run(name, func(t *testing.T) {
			p := stored(m)
			edit(&p)
			v := body(s.Flow.VerifyRecord(p, trail(m)))
			if !strings.Contains(v, "Record failed its check") || !strings.Contains(v, "CRD 654321") || !strings.Contains(v, "(entry 3)") {
				t.Errorf("verify after %s:\n%s", name, v)
			}
		})
	}
	bad := trail(m)
	bad[2].Detail = `{"name":"","crd":"x"}`
	if rp := Replay(s.Flow.Roadmap, bad); len(rp.Problems) != 1 || !strings.Contains(rp.Problems[0], "entry 3 sets a firm profile whose record cannot be read") {
		t.Errorf("problems %v", rp.Problems)
	}
}

func TestExportIsNamedAfterTheProfile(t *testing.T) {
	s, _ := newService(t)
	if r := command(t, s, "U1", "export"); r.File.Name != "cais-audit-2026-11-24.csv" {
		t.Errorf("without a profile: %q", r.File.Name)
	}
	setProfile(t, s, admin, "Société Générale & Co.'s Brokers, LLC", "123456")
	r := command(t, s, "U1", "export")
	if r.File.Name != "cais-audit-societe-generale-co-s-brokers-llc-crd123456-2026-11-24.csv" {
		t.Errorf("file name %q", r.File.Name)
	}
	if r.File.Title != "CAIS audit trail — Société Générale & Co.'s Brokers, LLC (CRD 123456)" {
		t.Errorf("title %q", r.File.Title)
	}
}

func TestProfileSlugKeepsFirmsApart(t *testing.T) {
	for _, tc := range []struct{ name, crd, want string }{
		{"Example Securities LLC", "123456", "example-securities-llc-crd123456"},
		{"Example Securities LLC", "123457", "example-securities-llc-crd123457"},
		{"O'Neil & Sons", "7", "oneil-sons-crd7"},
		{"東京証券", "42", "crd42"},
		{"../../etc/passwd", "1", "etc-passwd-crd1"},
		{strings.Repeat("ab ", 40), "9", strings.TrimSuffix(strings.Repeat("ab-", 20), "-") + "-crd9"},
	} {
		if got := ProfileSlug(Profile{Name: tc.name, CRD: tc.crd}); got != tc.want {
			t.Errorf("ProfileSlug(%q, %s) = %q, want %q", tc.name, tc.crd, got, tc.want)
		}
	}
}
