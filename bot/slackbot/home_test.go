package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/firm"
	"github.com/slack-go/slack"
)

// openHome sends app_home_opened for user and returns the published view.
func (r *rig) openHome(user string) slack.Blocks {
	r.t.Helper()
	before := len(r.slack.Calls("views.publish"))
	ev := fmt.Sprintf(`{"type":"event_callback","team_id":%q,"api_app_id":"A1","event_id":"Ev%s","event_time":1700000000,
		"event":{"type":"app_home_opened","user":%q,"channel":"D1","tab":"home"}}`, team, user, user)
	resp := r.post(ev, "application/json")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		r.t.Fatalf("app_home_opened: %d", resp.StatusCode)
	}
	return r.lastHome(before + 1)
}

func (r *rig) lastHome(n int) slack.Blocks {
	r.t.Helper()
	calls := r.slack.Wait(r.t, "views.publish", n)
	var req struct {
		UserID string `json:"user_id"`
		View   struct {
			Type   string       `json:"type"`
			Blocks slack.Blocks `json:"blocks"`
		} `json:"view"`
	}
	if err := json.Unmarshal(calls[len(calls)-1].Body, &req); err != nil {
		r.t.Fatal(err)
	}
	if req.View.Type != "home" {
		r.t.Fatalf("published view type %q", req.View.Type)
	}
	return req.View.Blocks
}

func TestAppHome(t *testing.T) {
	r := newRig(t)
	home := text(r.openHome("U1"))
	for _, want := range []string{"➡️ *Step 1:", "⬜ *Step 2:", "passed (May 31, 2024)", "[Open next step|primary]"} {
		if !strings.Contains(home, want) {
			t.Errorf("home lacks %q:\n%s", want, home)
		}
	}
	r.click(r.slash("U2", ""), "Yes", "U2")
	r.h.Wait()
	refreshed := text(r.lastHome(2))
	if !strings.Contains(refreshed, "✅ *Step 1:") || !strings.Contains(refreshed, "<@U2>") {
		t.Fatalf("home not refreshed after a confirmation:\n%s", refreshed)
	}
	// The Home button sends the next-step card as a direct message.
	p := map[string]any{"type": "block_actions", "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": team},
		"view": map[string]any{"type": "home", "id": "VHOME"}, "container": map[string]any{"type": "view", "view_id": "VHOME"},
		"actions": []map[string]any{{"type": "button", "block_id": "cais_actions", "action_id": button(t, r.openHome("U1"), "Open next step").ActionID,
			"value": button(t, r.openHome("U1"), "Open next step").Value}}}
	b, _ := json.Marshal(p)
	resp := r.post("payload="+string(b), "application/x-www-form-urlencoded")
	resp.Body.Close()
	dm := r.slack.Wait(t, "chat.postMessage", 2)
	last := dm[len(dm)-1]
	if last.Param("channel") != "U1" || !strings.Contains(last.Param("text"), "Step 2: Register for CAT CAIS") {
		t.Fatalf("Home button must DM the Step 2 card: channel %q body %s", last.Param("channel"), last.Body)
	}
}

func TestHomeStaysWithinBlockKitLimits(t *testing.T) {
	r := newRig(t)
	card := r.slash(admin, "")
	for range 10 { // a long trail of confirm/undo pairs
		r.click(card, "Yes", admin)
		r.slash(admin, "undo")
		card = r.slash(admin, "")
	}
	home := r.openHome("U1")
	if n := len(home.BlockSet); n > 100 {
		t.Fatalf("home has %d blocks, limit 100", n)
	}
	for _, b := range home.BlockSet {
		if s, ok := b.(*slack.SectionBlock); ok && len([]rune(s.Text.Text)) > 3000 {
			t.Fatalf("section text %d chars, limit 3000", len([]rune(s.Text.Text)))
		}
	}
}

func TestEventRetriesAreAcknowledged(t *testing.T) {
	r := newRig(t)
	ev := fmt.Sprintf(`{"type":"event_callback","team_id":%q,"event_id":"EvRetry","event_time":1700000000,"event":{"type":"app_home_opened","user":"U1","tab":"home"}}`, team)
	for retry := range 3 {
		req, _ := http.NewRequest(http.MethodPost, r.srv.URL, strings.NewReader(ev))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Slack-Retry-Num", fmt.Sprint(retry+1))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		sign(req, ev, time.Now(), secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("retry %d: status %d; Slack would keep retrying", retry+1, resp.StatusCode)
		}
	}
	if r.audit() != 0 {
		t.Fatal("an event changed progress")
	}
}

// meddling is the Viewers store with a change made by "another replica"
// the moment a viewer is remembered.
type meddling struct {
	store  Viewers
	change func()
}

func (m meddling) AddViewer(ctx context.Context, f firm.ID, user string) error {
	err := m.store.AddViewer(ctx, f, user)
	m.change()
	return err
}

func (m meddling) Viewers(ctx context.Context, f firm.ID) ([]string, error) {
	return m.store.Viewers(ctx, f)
}

// A change committed while a Home is being opened is never missed: it is
// either in what the Home shows or refreshes it.
func TestHomeOpenedDuringAChange(t *testing.T) {
	r := newRig(t)
	card := r.slash("U2", "")
	r.h.cfg.Viewers = meddling{store: r.store, change: func() { r.click(card, "Yes", "U2"); r.h.Wait() }}
	home := text(r.openHome("U1"))
	r.h.Wait()
	if latest := text(r.lastHome(len(r.slack.Calls("views.publish")))); !strings.Contains(home, "✅ *Step 1:") && !strings.Contains(latest, "✅ *Step 1:") {
		t.Fatalf("the confirmation made while Home opened is not on it:\n%s", latest)
	}
}
