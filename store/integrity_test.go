package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// tamperFirm is the firm the integrity tests change behind the bot's back.
var tamperFirm = firm.ID{Platform: firm.Slack, Workspace: "TTAMPER"}

// twoDeadlines commits two changes through the service, as users would.
func twoDeadlines(t *testing.T, svc *dialogs.Service) {
	t.Helper()
	ctx := context.Background()
	for _, cmd := range []string{"deadline 4 2027-06-05", "deadline 5 2027-07-01"} {
		r, err := svc.Command(ctx, tamperFirm, dialogs.Event{User: "UADMIN", Channel: "C1"}, dialogs.ParseCommand(cmd))
		if err != nil || !r.Changed {
			t.Fatalf("%s = %q changed=%v, %v", cmd, r.Title, r.Changed, err)
		}
	}
}

// replyText is everything a user reads in a reply.
func replyText(r dialogs.Reply) string { return r.Title + "\n" + dialogsText(r) }

// TestIntegrityEntryAppendedBehindTheBot: an entry RPUSHed after the
// recorded end is reported by verify, exported, and every later change is
// refused as an integrity failure that changed nothing.
func TestIntegrityEntryAppendedBehindTheBot(t *testing.T) {
	st, rdb, prefix := newStore(t)
	svc := compatService(t, st)
	counted := map[string]int{}
	svc.OnIntegrity = func(where string) { counted[where]++ }
	ctx := context.Background()
	twoDeadlines(t, svc)
	p, _ := st.Load(ctx, tamperFirm)
	// A forger who knows the recipe: the entry links and hashes correctly.
	forged := dialogs.Entry{At: t0, User: "UEVIL", Action: dialogs.ActConfirm, Step: "1", Choice: "yes", Version: p.Version + 1}
	forged.Seal(p.Seq, p.Head)
	b, _ := json.Marshal(forged)
	auditKey := prefix + "{" + tamperFirm.Key() + "}:audit"
	if err := rdb.RPush(ctx, auditKey, b).Err(); err != nil {
		t.Fatal(err)
	}
	ev := dialogs.Event{User: "UADMIN", Channel: "C1"}

	r, err := svc.Command(ctx, tamperFirm, ev, dialogs.ParseCommand("verify"))
	if got := replyText(r); err != nil || !strings.Contains(got, "entry 3") || !strings.Contains(got, "recorded end") || strings.Contains(got, "✅") {
		t.Fatalf("verify = %q, %v; want entry 3 reported past the recorded end", got, err)
	}
	r, err = svc.Command(ctx, tamperFirm, ev, dialogs.ParseCommand("export"))
	if err != nil || r.File == nil || !strings.Contains(string(r.File.Content), forged.Hash) {
		t.Fatalf("export = %q, %v; want every stored entry, the forged one included", r.Title, err)
	}

	_, err = svc.Command(ctx, tamperFirm, ev, dialogs.ParseCommand("deadline 6 2027-08-01"))
	if err == nil {
		t.Fatal("a change over a tampered trail was accepted")
	}
	told := replyText(dialogs.Unavailable(err))
	for _, want := range []string{"integrity check", "`{cmd} verify`", "Nothing was changed"} {
		if !strings.Contains(told, want) {
			t.Errorf("user told %q; want it to contain %q", told, want)
		}
	}
	if strings.Contains(told, "lost contact") {
		t.Errorf("user told %q; an integrity failure is not a connection problem", told)
	}
	after, _ := st.Load(ctx, tamperFirm)
	if n, _ := rdb.LLen(ctx, auditKey).Result(); after.Version != p.Version || n != 3 {
		t.Errorf("after the refused change: version %d (want %d), %d entries (want 3)", after.Version, p.Version, n)
	}
	if counted["verify"] != 1 || counted["request"] != 1 {
		t.Errorf("integrity failures counted %v; want one by verify and one refused request", counted)
	}
}

// TestIntegrityCorruptRecord: stored data that cannot be read is an
// integrity failure on every command, and verify names it.
func TestIntegrityCorruptRecord(t *testing.T) {
	progress, audit := "progress", "audit"
	tests := []struct {
		name       string
		key, field string // field "": RPUSH to the list
		value      string
		verify     string // what verify must name
	}{
		{"progress JSON cut short", progress, "p", `{"current": 7`, "stored progress cannot be read"},
		{"progress half written", progress, "v", "", "half written"},
		{"progress version not a number", progress, "v", "two", "version is not a number"},
		{"garbage appended to the trail", audit, "", "not json", "entry 3 cannot be read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, rdb, prefix := newStore(t)
			svc := compatService(t, st)
			ctx := context.Background()
			twoDeadlines(t, svc)
			key := prefix + "{" + tamperFirm.Key() + "}:" + tc.key
			var err error
			switch {
			case tc.field == "":
				err = rdb.RPush(ctx, key, tc.value).Err()
			case tc.value == "":
				err = rdb.HDel(ctx, key, tc.field).Err()
			default:
				err = rdb.HSet(ctx, key, tc.field, tc.value).Err()
			}
			if err != nil {
				t.Fatal(err)
			}
			ev := dialogs.Event{User: "UADMIN", Channel: "C1"}
			for _, cmd := range []string{"status", "deadline 6 2027-08-01", "export", "history"} {
				if (cmd == "status" && tc.key == audit) || (cmd == "history" && tc.key == progress) {
					continue // status reads only the progress, history only the list
				}
				_, err := svc.Command(ctx, tamperFirm, ev, dialogs.ParseCommand(cmd))
				if told := replyText(dialogs.Unavailable(err)); err == nil || !strings.Contains(told, "integrity check") {
					t.Errorf("%s: err %v, user told %q; want the integrity failure", cmd, err, told)
				}
			}
			r, err := svc.Command(ctx, tamperFirm, ev, dialogs.ParseCommand("verify"))
			if got := replyText(r); err != nil || !strings.Contains(got, tc.verify) || strings.Contains(got, "✅") {
				t.Fatalf("verify = %q, %v; want it to name %q", got, err, tc.verify)
			}
		})
	}
}
