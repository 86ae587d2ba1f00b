package slackbot

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// openWaitForm clicks "Waiting on someone…" on card and returns the
// modal views.open received.
func (r *rig) openWaitForm(card string, label string) map[string]any {
	r.t.Helper()
	bl := r.slash("U1", card)
	before := len(r.slack.Calls("views.open"))
	resp := r.post(r.clickPayload(button(r.t, bl, label), "U1", "wait"), "application/x-www-form-urlencoded")
	resp.Body.Close()
	opens := r.slack.Wait(r.t, "views.open", before+1)
	view, _ := opens[len(opens)-1].JSON["view"].(map[string]any)
	return view
}

// submitView answers view with state values (block → action → element).
func (r *rig) submitView(view map[string]any, values map[string]any) (int, string) {
	r.t.Helper()
	p := map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": team},
		"view": map[string]any{"id": "V1", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
			"state": map[string]any{"values": values}},
	}
	b, _ := json.Marshal(p)
	resp := r.post(url.Values{"payload": {string(b)}}.Encode(), "application/x-www-form-urlencoded")
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func waitState(who, ref, day string) map[string]any {
	return map[string]any{
		"f_who":       map[string]any{"f_who": map[string]any{"type": "plain_text_input", "value": who}},
		"f_ref":       map[string]any{"f_ref": map[string]any{"type": "plain_text_input", "value": ref}},
		"f_follow_up": map[string]any{"f_follow_up": map[string]any{"type": "datepicker", "selected_date": day}},
	}
}

func TestWaitModalHasADatepicker(t *testing.T) {
	r := newRig(t)
	view := r.openWaitForm("", "Waiting on someone…")
	blocks, _ := view["blocks"].([]any)
	kinds := map[string]string{}
	for _, b := range blocks {
		blk := b.(map[string]any)
		el := blk["element"].(map[string]any)
		kinds[blk["block_id"].(string)] = el["type"].(string)
		if el["type"] == "datepicker" && el["initial_date"] != "2026-12-01" {
			t.Errorf("datepicker initial_date %v", el["initial_date"])
		}
		if blk["block_id"] == "f_ref" && blk["optional"] != true {
			t.Error("the reference is not optional")
		}
	}
	if kinds["f_who"] != "plain_text_input" || kinds["f_ref"] != "plain_text_input" || kinds["f_follow_up"] != "datepicker" {
		t.Errorf("modal inputs %v", kinds)
	}
}

func TestWaitSubmissionWithASelectedDate(t *testing.T) {
	for _, c := range []struct {
		name, day, errorOn string
	}{
		{"a real date", "2026-12-04", ""},
		{"not a date", "2026-13-01", "f_follow_up"},
		{"no date", "", "f_follow_up"},
		{"in the past", "2026-01-04", "f_follow_up"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			view := r.openWaitForm("", "Waiting on someone…")
			st, body := r.submitView(view, waitState("Example Clearing LLC", "T-1", c.day))
			if st != 200 {
				t.Fatalf("status %d", st)
			}
			if c.errorOn != "" {
				var ans struct {
					Action string            `json:"response_action"`
					Errors map[string]string `json:"errors"`
				}
				_ = json.Unmarshal([]byte(body), &ans)
				if ans.Action != "errors" || ans.Errors[c.errorOn] == "" {
					t.Errorf("answer %s, want an error on %s", body, c.errorOn)
				}
				if n := r.audit(); n != 0 {
					t.Errorf("%d audit entries after a bad date", n)
				}
				return
			}
			card := text(r.responded("wait"))
			if !strings.Contains(card, "Waiting on Example Clearing LLC since") || !strings.Contains(card, "Follow-up: December 4, 2026") {
				t.Errorf("card after the wait:\n%s", card)
			}
			if n := r.audit(); n != 1 {
				t.Errorf("%d audit entries, want 1", n)
			}
		})
	}
}

// A submission with two problems shows both, each under its field, and
// records nothing.
func TestWaitSubmissionShowsEveryProblem(t *testing.T) {
	r := newRig(t)
	view := r.openWaitForm("", "Waiting on someone…")
	_, body := r.submitView(view, waitState("", "T-1", "2026-01-04"))
	var ans struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	_ = json.Unmarshal([]byte(body), &ans)
	if ans.Action != "errors" || ans.Errors["f_who"] == "" || !strings.Contains(ans.Errors["f_follow_up"], "has already passed") || r.audit() != 0 {
		t.Errorf("answer %s (audit %d), want errors under f_who and f_follow_up", body, r.audit())
	}
}

func TestWaitOnAppHome(t *testing.T) {
	r := newRig(t)
	r.openHome("U1")
	view := r.openWaitForm("", "Waiting on someone…")
	if st, body := r.submitView(view, waitState("Example Clearing LLC", "T-1", "2026-12-04")); st != 200 || strings.Contains(body, "errors") {
		t.Fatalf("submit: %d %s", st, body)
	}
	r.h.Wait()
	home := text(r.lastHome(2)) // the wait refreshed the Home of its viewer
	if !strings.Contains(home, "↳ Waiting on Example Clearing LLC since") || !strings.Contains(home, "follow-up December 4, 2026") {
		t.Errorf("home lacks the wait:\n%s", home)
	}
}

// submitForm clicks label on card, which opens a modal, submits it with
// state values, and returns the card posted to the click's response_url.
func (r *rig) submitForm(card slack.Blocks, label string, values map[string]any) slack.Blocks {
	r.t.Helper()
	before := len(r.slack.Calls("views.open"))
	id := "form-" + strings.ReplaceAll(label, " ", "-")
	resp := r.post(r.clickPayload(button(r.t, card, label), "U1", id), "application/x-www-form-urlencoded")
	resp.Body.Close()
	opens := r.slack.Wait(r.t, "views.open", before+1)
	view, _ := opens[len(opens)-1].JSON["view"].(map[string]any)
	if st, body := r.submitView(view, values); st != 200 || strings.Contains(body, "errors") {
		r.t.Fatalf("submitting %q: %d %s", label, st, body)
	}
	return r.responded(id)
}
