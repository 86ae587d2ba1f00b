package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/install"
)

// lifecycleFake records the removals it is told of; fail makes the next
// calls fail, block holds them until closed.
type lifecycleFake struct {
	mu   sync.Mutex
	got  []install.Removal
	fail int
	// block, if set, holds calls until closed; entered is told when one
	// is held.
	block, entered chan struct{}
}

func (l *lifecycleFake) Removed(_ context.Context, rm install.Removal) (install.Outcome, error) {
	if l.block != nil {
		l.entered <- struct{}{}
		<-l.block
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, rm)
	if l.fail > 0 {
		l.fail--
		return install.RemovedNow, errors.New("redis down")
	}
	return install.RemovedNow, nil
}

func (l *lifecycleFake) calls() []install.Removal {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]install.Removal(nil), l.got...)
}

// removalEvent posts an event_callback and returns the status.
func (r *rig) removalEvent(id, team, enterprise, inner, authorizations string) int {
	body := fmt.Sprintf(`{"type":"event_callback","team_id":%q,"enterprise_id":%q,"event_id":%q,"event_time":1796000000,"event":%s,"authorizations":[%s]}`,
		team, enterprise, id, inner, authorizations)
	resp := r.post(body, "application/json")
	resp.Body.Close()
	return resp.StatusCode
}

func TestRemovalEventsReachTheLifecycleOnce(t *testing.T) {
	r := newMultiRig(t, map[string]string{"T0ACME": "xoxb-acme"})
	life := &lifecycleFake{}
	r.h.cfg.Lifecycle = life
	uninstalled := `{"type":"app_uninstalled"}`
	tests := []struct {
		name, id, team, enterprise, inner, auth string
		status                                  int
		want                                    string // the removal's key, reason and bots; "" for no call
	}{
		{"uninstall", "Ev1", "T0ACME", "", uninstalled, "", 200, "team:T0ACME app_uninstalled []"},
		{"the same event again", "Ev1", "T0ACME", "", uninstalled, "", 200, ""},
		{"org-wide", "Ev2", "T0GRIDWS", "E0GRID", uninstalled, `{"enterprise_id":"E0GRID","team_id":null,"is_enterprise_install":true}`, 200, "enterprise:E0GRID app_uninstalled []"},
		{"bot token revoked", "Ev3", "T0ACME", "", `{"type":"tokens_revoked","tokens":{"bot":["UBOT"]}}`, "", 200, "team:T0ACME tokens_revoked [UBOT]"},
		{"user tokens only", "Ev4", "T0ACME", "", `{"type":"tokens_revoked","tokens":{"oauth":["U1"]}}`, "", 200, ""},
		{"no workspace named", "Ev5", "", "", uninstalled, "", 200, ""},
		{"a bad team id", "Ev6", "t0-acme", "", uninstalled, "", 200, ""},
	}
	forged, _ := http.NewRequest(http.MethodPost, r.srv.URL, strings.NewReader(`{"type":"event_callback","team_id":"T0ACME","event_id":"Ev0","event":`+uninstalled+`}`))
	forged.Header.Set("Content-Type", "application/json")
	sign(forged, "another body", time.Now(), secret)
	resp, err := http.DefaultClient.Do(forged)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(life.calls()) != 0 {
		t.Fatalf("a badly signed uninstall: %d, %d calls; want 401 and none", resp.StatusCode, len(life.calls()))
	}
	for _, tc := range tests {
		before := len(life.calls())
		if got := r.removalEvent(tc.id, tc.team, tc.enterprise, tc.inner, tc.auth); got != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.status)
		}
		calls := life.calls()[before:]
		got := ""
		if len(calls) == 1 {
			rm := calls[0]
			got = fmt.Sprintf("%s %s %v", rm.Key, rm.Reason, rm.Bots)
			if !rm.At.Equal(time.Unix(1796000000, 0)) {
				t.Errorf("%s: removal at %s, want the event's time", tc.name, rm.At)
			}
		}
		if got != tc.want || len(calls) > 1 {
			t.Errorf("%s: lifecycle told %q (%d calls), want %q", tc.name, got, len(calls), tc.want)
		}
	}
}

// TestFailedRemovalIsDeliveredAgain: a failure answers 503 and releases
// the event, so Slack's redelivery does the work; a redelivery while the
// first is still running is answered 503 too, and runs nothing.
func TestFailedRemovalIsDeliveredAgain(t *testing.T) {
	r := newMultiRig(t, map[string]string{"T0ACME": "xoxb-acme"})
	life := &lifecycleFake{fail: 1}
	r.h.cfg.Lifecycle = life
	ev := `{"type":"app_uninstalled"}`
	if got := r.removalEvent("Ev1", "T0ACME", "", ev, ""); got != http.StatusServiceUnavailable {
		t.Fatalf("failed removal answered %d, want 503", got)
	}
	if got := r.removalEvent("Ev1", "T0ACME", "", ev, ""); got != 200 || len(life.calls()) != 2 {
		t.Fatalf("redelivery answered %d after %d calls; want 200 after 2", got, len(life.calls()))
	}
	life.block, life.entered = make(chan struct{}), make(chan struct{}, 1)
	done := make(chan int)
	go func() { done <- r.removalEvent("Ev2", "T0ACME", "", ev, "") }()
	<-life.entered
	if got := r.removalEvent("Ev2", "T0ACME", "", ev, ""); got != http.StatusServiceUnavailable {
		t.Fatalf("a redelivery while the first runs answered %d, want 503", got)
	}
	close(life.block)
	if got := <-done; got != 200 || len(life.calls()) != 3 {
		t.Fatalf("first delivery answered %d with %d calls; want 200, 3", got, len(life.calls()))
	}
}

// TestSingleWorkspaceRemovalIsLoggedOnly: with one bot token from the
// environment nothing can be removed; the operator is told.
func TestSingleWorkspaceRemovalIsLoggedOnly(t *testing.T) {
	r := newRig(t)
	logs := &syncBuffer{}
	r.h.log = slog.New(slog.NewTextHandler(logs, nil))
	r.h.cfg.Logger = r.h.log
	if got := r.removalEvent("Ev1", "T1", "", `{"type":"app_uninstalled"}`, ""); got != 200 {
		t.Fatalf("status %d", got)
	}
	if !strings.Contains(logs.String(), "SLACK_BOT_TOKEN no longer works") {
		t.Fatalf("the operator is not told:\n%s", logs)
	}
}
