package announce

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

func TestSendTimeAcrossDaylightSaving(t *testing.T) {
	tests := []struct {
		day  string
		lead int
		want string // UTC
	}{
		{"2027-03-21", 7, "2027-03-14T13:00:00Z"}, // spring forward: 09:00 EDT
		{"2027-03-14", 0, "2027-03-14T13:00:00Z"},
		{"2027-03-14", 1, "2027-03-13T14:00:00Z"}, // the day before, still EST
		{"2027-11-08", 1, "2027-11-07T14:00:00Z"}, // fall back: 09:00 EST
		{"2027-11-07", 0, "2027-11-07T14:00:00Z"},
		{"2027-11-07", 7, "2027-10-31T13:00:00Z"},
		{"2027-06-05", 30, "2027-05-06T13:00:00Z"}, // across a month end
		{"2028-03-01", 1, "2028-02-29T14:00:00Z"},  // leap day
	}
	for _, tt := range tests {
		day, _ := time.ParseInLocation(time.DateOnly, tt.day, nyc)
		got := SendTime(day, tt.lead, nyc)
		if got.UTC().Format(time.RFC3339) != tt.want || got.In(nyc).Hour() != 9 {
			t.Errorf("SendTime(%s, %d) = %s (%s local); want %s, 09:00 local", tt.day, tt.lead, got.UTC().Format(time.RFC3339), got.In(nyc).Format("15:04 MST"), tt.want)
		}
	}
}

// planned describes plan's answer as "due: lead@channel ...; missed: ...".
func planned(f *dialogs.Flow, p dialogs.Progress, now time.Time) string {
	due, missed := plan(f, firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: "F1"}, &p, now)
	list := func(js []job) string {
		var s []string
		for _, j := range js {
			s = append(s, fmt.Sprintf("%s/%d@%s", strings.TrimPrefix(j.occ.Deadline, "target:"), j.occ.Lead, j.occ.Channel))
		}
		return strings.Join(s, " ")
	}
	return "due: " + list(due) + "; missed: " + list(missed)
}

func TestPlan(t *testing.T) {
	f := &dialogs.Flow{Roadmap: dialogs.Default(), Loc: nyc}
	sub := func(when string) dialogs.Subscription { return dialogs.Subscription{User: admin, At: ny(when).UTC()} }
	firm := func(current string, targets map[string]string, channels map[string]dialogs.Subscription) dialogs.Progress {
		return dialogs.Progress{Version: 3, Current: current, Targets: targets, Channels: channels}
	}
	june5 := map[string]string{"certify_self": "2027-06-05"}
	early := map[string]dialogs.Subscription{"C1": sub("2027-04-01 12:00")}
	tests := []struct {
		name string
		p    dialogs.Progress
		now  string
		want string
	}{
		{"seed dates are past: never", firm("", nil, early), "2027-05-29 09:00", "due: ; missed: "},
		{"before 09:00", firm("", june5, early), "2027-05-29 08:59", "due: ; missed: certify_self/30@C1 certify_self/14@C1"},
		{"at 09:00", firm("", june5, early), "2027-05-29 09:00", "due: certify_self/7@C1; missed: certify_self/30@C1 certify_self/14@C1"},
		{"late the same day", firm("", june5, early), "2027-05-29 23:59", "due: certify_self/7@C1; missed: certify_self/30@C1 certify_self/14@C1"},
		{"on the day", firm("", june5, early), "2027-06-05 09:00", "due: certify_self/0@C1; missed: certify_self/30@C1 certify_self/14@C1 certify_self/7@C1 certify_self/1@C1"},
		{"deadline passed", firm("", june5, early), "2027-06-06 09:00", "due: ; missed: "},
		{"subscribed after the lead's 09:00", firm("", june5, map[string]dialogs.Subscription{"C1": sub("2027-05-29 10:00")}), "2027-05-29 10:05", "due: ; missed: "},
		{"subscribed between leads", firm("", june5, map[string]dialogs.Subscription{"C1": sub("2027-05-10 12:00")}), "2027-05-29 09:00", "due: certify_self/7@C1; missed: certify_self/14@C1"},
		{"subscribed at 09:00 sharp", firm("", june5, map[string]dialogs.Subscription{"C1": sub("2027-05-29 09:00")}), "2027-05-29 09:00", "due: certify_self/7@C1; missed: "},
		{"finished step", firm("complete", june5, early), "2027-05-29 09:00", "due: ; missed: "},
		{"no channels", firm("", june5, nil), "2027-05-29 09:00", "due: ; missed: "},
		{"two channels, two deadlines", firm("", map[string]string{"certify_self": "2027-06-05", "register": "2027-06-05"},
			map[string]dialogs.Subscription{"C2": sub("2027-05-28 12:00"), "C1": sub("2027-05-28 12:00")}), "2027-05-29 09:00",
			"due: certify_self/7@C1 certify_self/7@C2 register/7@C1 register/7@C2; missed: "},
		{"paused: nothing due, nothing missed", firm("", june5, map[string]dialogs.Subscription{"C1": paused(sub("2027-04-01 12:00"), "2027-05-01 12:00", "")}), "2027-05-29 09:00", "due: ; missed: "},
		{"one of two paused", firm("", june5, map[string]dialogs.Subscription{"C1": paused(sub("2027-04-01 12:00"), "2027-05-01 12:00", ""), "C2": sub("2027-05-28 12:00")}), "2027-05-29 09:00", "due: certify_self/7@C2; missed: "},
		{"resumed: leads during the pause not owed", firm("", june5, map[string]dialogs.Subscription{"C1": paused(sub("2027-04-01 12:00"), "", "2027-05-22 10:00")}), "2027-05-29 09:00", "due: certify_self/7@C1; missed: "},
		{"resumed on a lead's day after 09:00", firm("", june5, map[string]dialogs.Subscription{"C1": paused(sub("2027-04-01 12:00"), "", "2027-05-29 09:30")}), "2027-05-29 10:00", "due: ; missed: "},
		{"spring forward day", firm("", map[string]string{"certify_self": "2027-03-21"}, early0()), "2027-03-14 08:59", "due: ; missed: certify_self/30@C1 certify_self/14@C1"},
		{"spring forward day 09:00", firm("", map[string]string{"certify_self": "2027-03-21"}, early0()), "2027-03-14 09:00", "due: certify_self/7@C1; missed: certify_self/30@C1 certify_self/14@C1"},
	}
	for _, tt := range tests {
		if got := planned(f, tt.p, ny(tt.now)); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// paused sets a subscription's pause and resume times ("" for none).
func paused(s dialogs.Subscription, at, resumed string) dialogs.Subscription {
	if at != "" {
		s.Paused = ny(at).UTC()
	}
	if resumed != "" {
		s.Resumed = ny(resumed).UTC()
	}
	return s
}

func early0() map[string]dialogs.Subscription {
	return map[string]dialogs.Subscription{"C1": {User: admin, At: ny("2027-01-01 12:00").UTC()}}
}

func TestInterleave(t *testing.T) {
	all := func(firm.ID) bool { return true }
	for _, tc := range []struct {
		firms string
		keep  func(firm.ID) bool
		want  string
	}{
		{"A:1 A:2 A:3 B:1 C:1 C:2", all, "A:1 B:1 C:1 A:2 C:2 A:3"},
		{"B:1 A:1 B:2 B:3 B:4 C:1 A:2", all, "B:1 A:1 C:1 B:2 A:2 B:3 B:4"},
		{"A:1 A:2 B:1 B:2 C:1", func(f firm.ID) bool { return f.Workspace != "B" }, "A:1 C:1 A:2"},
		{"A:1", func(firm.ID) bool { return false }, ""},
		{"", all, ""},
	} {
		var firms []firm.ID
		for _, k := range strings.Fields(tc.firms) {
			firms = append(firms, slackFirm(k))
		}
		var keys []string
		for _, f := range interleave(firms, tc.keep) {
			keys = append(keys, f.Key())
		}
		if got := strings.Join(keys, " "); got != tc.want {
			t.Errorf("interleave(%s) = %s; want %s", tc.firms, got, tc.want)
		}
	}
}

// A job still queued when its day ends in the bot's zone is skipped, not
// posted: sameDay judges dates in that zone, not in UTC.
func TestSameDayInTheBotsZone(t *testing.T) {
	r := &run{s: &Scheduler{cfg: Config{Service: &dialogs.Service{Flow: &dialogs.Flow{Loc: nyc}}}}}
	for _, tc := range []struct {
		a, b string // New York wall clock
		want bool
	}{
		{"2027-05-29 09:00", "2027-05-29 23:59", true},
		{"2027-05-29 09:00", "2027-05-30 00:00", false},
		{"2027-05-29 20:30", "2027-05-29 09:00", true}, // 00:30 and 13:00 UTC: different UTC dates
		{"2027-11-07 00:30", "2027-11-07 23:30", true}, // the day clocks fall back
		{"2026-05-29 09:00", "2027-05-29 09:00", false},
	} {
		if got := r.sameDay(ny(tc.a).UTC(), ny(tc.b).UTC()); got != tc.want {
			t.Errorf("sameDay(%s, %s) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
