package store_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/bot/teams"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/store"
)

// testdata/written-by-main-2026-12-07.json is every key that the build
// before typed firms (commit 1280205) wrote for four firms — a Slack
// workspace, a Slack channel of a bureau, a Teams tenant and a Teams
// channel — each with three confirmations, a subscription, a target date
// and a reminder recorded as sent, plus a Teams conversation reference, a
// Teams person, a Home viewer and a sender lock. It was made by running
// that build's own store and dialogs code against Redis and dumping it.
const writtenByMain = "testdata/written-by-main-2026-12-07.json"

const compatTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"

// loadDump writes the dump under prefix, as that build left it.
func loadDump(t *testing.T, rdb redis.UniversalClient, prefix string) {
	t.Helper()
	b, err := os.ReadFile(writtenByMain)
	if err != nil {
		t.Fatal(err)
	}
	var dump map[string]struct {
		String *string
		Hash   map[string]string
		List   []string
		Set    []string
	}
	if err := json.Unmarshal(b, &dump); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for k, v := range dump {
		var err error
		switch {
		case v.String != nil:
			err = rdb.Set(ctx, prefix+k, *v.String, 0).Err()
		case v.Hash != nil:
			err = rdb.HSet(ctx, prefix+k, v.Hash).Err()
		case v.List != nil:
			err = rdb.RPush(ctx, prefix+k, v.List).Err()
		case v.Set != nil:
			err = rdb.SAdd(ctx, prefix+k, v.Set).Err()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadsWhatTheBuildBeforeTypedFirmsWrote(t *testing.T) {
	st, rdb, prefix := newStore(t)
	loadDump(t, rdb, prefix)
	ctx := context.Background()
	want := []firm.ID{
		{Platform: firm.Slack, Workspace: "T0BUREAU", Channel: "C0FIRM"},
		{Platform: firm.Slack, Workspace: "T0COMPAT"},
		{Platform: firm.Teams, Workspace: compatTenant},
		{Platform: firm.Teams, Workspace: compatTenant, Channel: "19:abc@thread.tacv2"},
	}
	got, err := st.Firms(ctx)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("Firms = %v, %v; want %v", got, err, want)
	}
	svc := compatService(t, st)
	for _, f := range want {
		t.Run(f.String(), func(t *testing.T) {
			p, err := st.Load(ctx, f)
			if err != nil || p.Version != 5 || p.Current != "method" || len(p.Path) != 3 || len(p.Channels) != 1 || p.Targets["method"] == "" {
				t.Fatalf("Load = %+v, %v; want version 5 at Step 4 with 3 confirmations, a subscription and a target", p, err)
			}
			v, err := svc.Command(ctx, f, dialogs.Event{User: "U1"}, dialogs.ParseCommand("verify"))
			if err != nil || !strings.Contains(v.Title, "verified") || !strings.Contains(dialogsText(v), "All 5 entries are intact") {
				t.Fatalf("verify = %q %q, %v; want all 5 entries intact", v.Title, dialogsText(v), err)
			}
			var ch string
			for c := range p.Channels {
				ch = c
			}
			o := ledger.Occurrence{Firm: f, Channel: ch, Deadline: "target:method", Day: "2027-06-05", Lead: 30}
			c, err := st.Claim(ctx, o, "other", time.Now(), time.Minute)
			if err != nil || c.Outcome != ledger.Done || c.State != ledger.StateSent || c.Ref != "1700000000.000100" {
				t.Fatalf("the reminder recorded as sent reads %+v, %v; want done, sent, its ref", c, err)
			}
			// The trail goes on from where the old build left it.
			if _, err := svc.Command(ctx, f, dialogs.Event{User: "UADMIN", Channel: ch}, dialogs.ParseCommand("deadline 4 2027-07-01")); err != nil {
				t.Fatal(err)
			}
			v, _ = svc.Command(ctx, f, dialogs.Event{User: "U1"}, dialogs.ParseCommand("verify"))
			if !strings.Contains(dialogsText(v), "All 6 entries are intact") {
				t.Fatalf("after a new change, verify = %q", dialogsText(v))
			}
		})
	}
	if users, err := st.Viewers(ctx, want[1]); err != nil || !slices.Equal(users, []string{"UADMIN"}) {
		t.Errorf("Viewers = %v, %v; want the Home viewer", users, err)
	}
	dir := teams.StoreDirectory(st.Directory(firm.Teams))
	if ref, found, err := dir.Conversation(ctx, "19:abc@thread.tacv2"); !found || err != nil || !strings.Contains(ref, "smba.trafficmanager.net") {
		t.Errorf("Teams conversation = %q %v %v; want the stored reference", ref, found, err)
	}
	if people, err := dir.People(ctx, compatTenant, []string{"0A1B2C3D4E5F60718293A4B5C6D7E8F9"}); err != nil || !strings.Contains(people["0A1B2C3D4E5F60718293A4B5C6D7E8F9"], "Ann Lee") {
		t.Errorf("Teams people = %v, %v; want Ann Lee", people, err)
	}
	if ok, err := st.LockSender(ctx, "T0COMPAT", "other", time.Date(2026, 12, 1, 14, 30, 0, 0, time.UTC), time.Minute); ok || err != nil {
		t.Errorf("the old build's live sender lock was taken over: %v %v", ok, err)
	}
}

// A firm first written now is indexed with its platform, beside the bare
// members the old build wrote, and both read back.
func TestNewFirmsSayTheirPlatform(t *testing.T) {
	st, rdb, prefix := newStore(t)
	loadDump(t, rdb, prefix)
	ctx := context.Background()
	f := firm.ID{Platform: firm.Teams, Workspace: "not-a-guid-tenant"}
	r, err := compatService(t, st).Command(ctx, f, dialogs.Event{User: "UADMIN", Channel: "19:x"}, dialogs.ParseCommand("deadline 4 2027-06-05"))
	if err != nil || !r.Changed {
		t.Fatalf("deadline = %q changed=%v, %v; want it set", r.Title, r.Changed, err)
	}
	members, _ := rdb.SMembers(ctx, prefix+"firms").Result()
	if !slices.Contains(members, "teams/not-a-guid-tenant") || !slices.Contains(members, "T0COMPAT") {
		t.Fatalf("firms index = %v; want the new firm as teams/… beside the old bare members", members)
	}
	got, _ := st.Firms(ctx)
	if !slices.Contains(got, f) || len(got) != 5 {
		t.Fatalf("Firms = %v; want the 4 old firms and the new Teams one", got)
	}
}

func compatService(t *testing.T, st *store.Redis) *dialogs.Service {
	t.Helper()
	loc, _ := time.LoadLocation("America/New_York")
	svc, err := dialogs.NewService(&dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{"UADMIN", "0A1B2C3D4E5F60718293A4B5C6D7E8F9"}, Loc: loc}, st, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func dialogsText(r dialogs.Reply) string {
	var b strings.Builder
	for _, p := range r.Parts {
		b.WriteString(p.Text + "\n")
	}
	return b.String()
}
