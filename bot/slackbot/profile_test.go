package slackbot

import (
	"strings"
	"testing"
)

func profileState(name, crd string) map[string]any {
	return map[string]any{
		"f_pf_name": map[string]any{"f_pf_name": map[string]any{"type": "plain_text_input", "value": name}},
		"f_pf_crd":  map[string]any{"f_pf_crd": map[string]any{"type": "plain_text_input", "value": crd}},
	}
}

func TestProfileThroughSlack(t *testing.T) {
	r := newRig(t)
	if got := text(r.slash("U1", "profile")); !strings.Contains(got, "Only admins can set the firm profile") {
		t.Errorf("a non-admin's /cais-next profile:\n%s", got)
	}
	bl := r.slash(admin, "profile")
	before := len(r.slack.Calls("views.open"))
	resp := r.post(r.clickPayload(button(t, bl, "Set profile…"), admin, "profile"), "application/x-www-form-urlencoded")
	resp.Body.Close()
	opens := r.slack.Wait(t, "views.open", before+1)
	view, _ := opens[len(opens)-1].JSON["view"].(map[string]any)
	blocks, _ := view["blocks"].([]any)
	if len(blocks) != 2 {
		t.Fatalf("the profile modal has %d blocks, want two inputs: %v", len(blocks), blocks)
	}
	st, body := r.submitAs(admin, view, profileState("Example Securities LLC", "12x"))
	if st != 200 || !strings.Contains(body, `"f_pf_crd"`) || !strings.Contains(body, "1 to 9 digits") {
		t.Errorf("a CRD with a letter: %d %s", st, body)
	}
	if st, body := r.submitAs(admin, view, profileState("Example Securities LLC", "123456")); st != 200 || strings.Contains(body, "errors") {
		t.Fatalf("submit: %d %s", st, body)
	}
	if got := text(r.responded("profile")); !strings.Contains(got, "Example Securities LLC") || !strings.Contains(got, "CRD 123456") {
		t.Errorf("reply after saving:\n%s", got)
	}
	if got := text(r.slash("U1", "status")); !strings.Contains(got, "Firm:") || !strings.Contains(got, "Example Securities LLC") {
		t.Errorf("status:\n%s", got)
	}
	if n := r.audit(); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
}
