package slackbot

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// postAt sends body signed at ts and returns the status and response
// body: the same ts makes a byte-identical replay of a signed request.
func (r *rig) postAt(body string, ts time.Time) (int, string) {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sign(req, body, ts, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func slashBody(r *rig, user, text string) string {
	return url.Values{"team_id": {team}, "channel_id": {chanID}, "user_id": {user}, "command": {"/cais-next"},
		"text": {text}, "response_url": {r.slack.ResponseURL("cmd")}, "trigger_id": {"trig"}}.Encode()
}

// A signed slash command replayed within Slack's five minutes (same body,
// timestamp and signature) changes the record once and gets the first
// answer again; the same command typed again (a new request) is a change.
func TestReplayedSlashCommandTakesEffectOnce(t *testing.T) {
	for _, c := range []struct {
		name, user, text string
		setup            []string // buttons clicked first, from the current card
	}{
		{"undo", admin, "undo", []string{"Yes", "Registration submitted"}},
		{"deadline", admin, "deadline 3 2026-12-20", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			for _, label := range c.setup {
				r.click(r.slash("U1", ""), label, "U1")
			}
			before := r.audit()
			body, ts := slashBody(r, c.user, c.text), time.Now()
			st1, first := r.postAt(body, ts)
			st2, replay := r.postAt(body, ts)
			if st1 != 200 || st2 != 200 {
				t.Fatalf("statuses %d, %d", st1, st2)
			}
			if n := r.audit() - before; n != 1 {
				t.Fatalf("%d audit entries after a command and its replay, want 1; answer %s", n, first)
			}
			if replay != first {
				t.Errorf("the replay was answered\n%s\nnot as the first\n%s", replay, first)
			}
			if st, _ := r.postAt(body, ts.Add(time.Second)); st != 200 || r.audit()-before != 2 {
				t.Fatalf("typed again (status %d): %d entries, want 2", st, r.audit()-before)
			}
		})
	}
}

// submitAs answers view as user with state values.
func (r *rig) submitAs(user string, view map[string]any, values map[string]any) (int, string) {
	r.t.Helper()
	p := map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user}, "team": map[string]any{"id": team},
		"view": map[string]any{"id": "V1", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
			"state": map[string]any{"values": values}},
	}
	b, _ := json.Marshal(p)
	return r.postAt(url.Values{"payload": {string(b)}}.Encode(), time.Now())
}

func targetState(day string) map[string]any {
	return map[string]any{"f_date": map[string]any{"f_date": map[string]any{"type": "datepicker", "selected_date": day}}}
}

// A form submitted twice with the same input (a double click on Submit,
// a replayed request) is recorded once and the second closes the form
// as the first did; corrected input in the same form is a new change.
func TestFormSubmittedTwiceIsRecordedOnce(t *testing.T) {
	r := newRig(t)
	bl := r.slash(admin, "")
	before := len(r.slack.Calls("views.open"))
	resp := r.post(r.clickPayload(button(t, bl, "Set target date…"), admin, "target"), "application/x-www-form-urlencoded")
	resp.Body.Close()
	opens := r.slack.Wait(t, "views.open", before+1)
	view, _ := opens[len(opens)-1].JSON["view"].(map[string]any)
	for i := range 2 {
		if st, body := r.submitAs(admin, view, targetState("2026-12-20")); st != 200 || body != "" {
			t.Fatalf("submission %d: %d %q", i+1, st, body)
		}
	}
	if n := r.audit(); n != 1 {
		t.Fatalf("%d audit entries after the same form twice, want 1", n)
	}
	if st, _ := r.submitAs(admin, view, targetState("2026-12-21")); st != 200 || r.audit() != 2 {
		t.Fatalf("new input (status %d): %d entries, want 2", st, r.audit())
	}
}

// A Socket Mode envelope Slack delivers again (same envelope id) changes
// the record once; a new envelope with the same command is a change.
func TestSocketModeRedeliveryTakesEffectOnce(t *testing.T) {
	r := newRig(t)
	f := newFakeSocket(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(f.srv.URL+"/api/"), slack.OptionAppLevelToken("xapp-1-test"))
	client := socketmode.New(api, socketmode.OptionLog(log.New(io.Discard, "", 0)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = r.h.RunSocketMode(ctx, client) }()
	c := f.conn(t)
	cmd := map[string]any{"team_id": team, "channel_id": chanID, "user_id": admin, "command": "/cais-next",
		"text": "deadline 3 2026-12-20", "response_url": r.slack.ResponseURL("sock")}
	first, _ := send(t, c, "env-1", "slash_commands", cmd)
	again, _ := send(t, c, "env-1", "slash_commands", cmd)
	if n := r.audit(); n != 1 {
		t.Fatalf("%d audit entries after a redelivered envelope, want 1", n)
	}
	if string(again) != string(first) {
		t.Errorf("the redelivery was answered\n%s\nnot as the first\n%s", again, first)
	}
	send(t, c, "env-2", "slash_commands", cmd)
	if n := r.audit(); n != 2 {
		t.Fatalf("%d audit entries after a new envelope, want 2", n)
	}
}

// If the delivery cannot be claimed (Redis down), a command that would
// change the record is not run and the user is told nothing was changed.
func TestUnclaimedCommandChangesNothing(t *testing.T) {
	r := newRig(t)
	dead := redistest.Down(t)
	once, err := adapter.NewOnce(store.New(dead, "x:"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.h.cfg.Once = once
	got := text(r.slash(admin, "deadline 3 2026-12-20"))
	if !strings.Contains(got, "Temporarily unavailable") || !strings.Contains(got, "Nothing was changed") || r.audit() != 0 {
		t.Fatalf("claim failed: audit %d, reply %s", r.audit(), got)
	}
}
