package dialogs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// TestPauseAndResumeAreAuditedAndReplayed: an uninstall pauses every
// running subscription with one entry, a repeat writes none, a reinstall
// resumes them with one entry, and verify's replay rebuilds both states.
func TestPauseAndResumeAreAuditedAndReplayed(t *testing.T) {
	m := &annStore{p: map[string]dialogs.Progress{}}
	now := time.Date(2027, 5, 29, 13, 0, 0, 0, time.UTC)
	s := &dialogs.Service{Flow: annFlow(), Store: m, Now: func() time.Time { return now }}
	ctx := context.Background()
	for _, ch := range []string{"C2", "C1"} {
		if _, err := s.Command(ctx, annFirm, dialogs.Event{User: "UADMIN", Channel: ch, At: now}, dialogs.ParseCommand("announce")); err != nil {
			t.Fatal(err)
		}
	}
	replayMatches := func(when string) {
		t.Helper()
		p := m.p["F1"]
		if d := s.Flow.Differences(p, dialogs.Replay(s.Flow.Roadmap, m.e)); len(d) > 0 {
			t.Fatalf("%s: the replay differs from the stored progress: %v", when, d)
		}
		if b := dialogs.VerifyChain(m.e, p.Head); b != nil {
			t.Fatalf("%s: audit chain: %v", when, b)
		}
	}

	now = now.Add(time.Hour)
	pausedAt := now
	for i, want := range []bool{true, false} { // the second finds nothing running
		changed, err := s.PauseAnnouncements(ctx, annFirm, dialogs.PauseUninstalled)
		if err != nil || changed != want {
			t.Fatalf("pause %d: changed %v, err %v; want %v", i, changed, err, want)
		}
	}
	if len(m.e) != 3 {
		t.Fatalf("%d entries; want 2 subscriptions and 1 pause", len(m.e))
	}
	e := m.e[2]
	if e.Action != dialogs.ActAnnouncePause || e.User != dialogs.SystemUser || e.Detail != dialogs.PauseUninstalled+"; channels C1, C2" {
		t.Fatalf("pause entry = %+v", e)
	}
	for ch, sub := range m.p["F1"].Channels {
		if !sub.Paused.Equal(pausedAt) || sub.User != "UADMIN" {
			t.Fatalf("channel %s = %+v; want paused at %s, subscriber kept", ch, sub, pausedAt)
		}
	}
	replayMatches("paused")

	now = now.Add(48 * time.Hour)
	for i, want := range []bool{true, false} {
		changed, err := s.ResumeAnnouncements(ctx, annFirm, dialogs.ResumeInstalled)
		if err != nil || changed != want {
			t.Fatalf("resume %d: changed %v, err %v; want %v", i, changed, err, want)
		}
	}
	if len(m.e) != 4 || m.e[3].Action != dialogs.ActAnnounceResume {
		t.Fatalf("entries = %d, last %+v; want a resume entry", len(m.e), m.e[len(m.e)-1])
	}
	for ch, sub := range m.p["F1"].Channels {
		if !sub.Paused.IsZero() || !sub.Resumed.Equal(now) {
			t.Fatalf("channel %s = %+v; want running, resumed at %s", ch, sub, now)
		}
	}
	replayMatches("resumed")

	h, _ := s.Command(ctx, annFirm, dialogs.Event{User: "U1", Channel: "C1"}, dialogs.ParseCommand("history"))
	text := annText(h)
	for _, want := range []string{"paused announcements to C1, C2 (caisbot was removed from the workspace)", "resumed announcements to C1, C2"} {
		if !strings.Contains(text, want) {
			t.Errorf("history lacks %q:\n%s", want, text)
		}
	}
}

// TestReplayCatchesAPauseTheTrailLacks: a stored subscription paused
// with no entry saying so is a difference verify reports.
func TestReplayCatchesAPauseTheTrailLacks(t *testing.T) {
	m := &annStore{p: map[string]dialogs.Progress{}}
	now := time.Date(2027, 5, 29, 13, 0, 0, 0, time.UTC)
	s := &dialogs.Service{Flow: annFlow(), Store: m, Now: func() time.Time { return now }}
	if _, err := s.Command(context.Background(), annFirm, dialogs.Event{User: "UADMIN", Channel: "C1", At: now}, dialogs.ParseCommand("announce")); err != nil {
		t.Fatal(err)
	}
	p := m.p["F1"].Clone()
	sub := p.Channels["C1"]
	sub.Paused = now
	p.Channels["C1"] = sub
	d := s.Flow.Differences(p, dialogs.Replay(s.Flow.Roadmap, m.e))
	if len(d) != 1 || !strings.Contains(d[0], "paused since") {
		t.Fatalf("differences = %v; want the unexplained pause", d)
	}
	bad := dialogs.Entry{Seq: 2, Action: dialogs.ActAnnounceResume, Detail: "x; channels C9", At: now}
	if rp := dialogs.Replay(s.Flow.Roadmap, append(m.e, bad)); len(rp.Problems) != 1 {
		t.Fatalf("problems = %v; want the resume of a channel never subscribed", rp.Problems)
	}
}

// FuzzPauseReplay: any pause or resume detail replays without panic, and
// changes only channels the trail subscribed (others are problems).
func FuzzPauseReplay(f *testing.F) {
	f.Add(dialogs.PauseUninstalled+"; channels C1, C2", true)
	f.Add("x; channels ", false)
	f.Add("; channels C1; channels C9", true)
	r := dialogs.Default()
	at := time.Date(2027, 5, 5, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, detail string, pause bool) {
		action := dialogs.ActAnnounceResume
		if pause {
			action = dialogs.ActAnnouncePause
		}
		entries := []dialogs.Entry{
			{Seq: 1, Action: dialogs.ActAnnounce, Detail: "channel C1", User: "U1", At: at},
			{Seq: 2, Action: action, Detail: detail, User: dialogs.SystemUser, At: at.Add(time.Hour)},
		}
		rp := dialogs.Replay(r, entries)
		for ch, s := range rp.Progress.Channels {
			if ch != "C1" || s.User != "U1" {
				t.Fatalf("replay made subscription %q = %+v from %q", ch, s, detail)
			}
		}
		if len(rp.Progress.Channels) != 1 {
			t.Fatalf("replay lost channel C1 from %q", detail)
		}
	})
}
