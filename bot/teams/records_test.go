package teams

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
	"github.com/redis/go-redis/v9"
)

func TestTeamsConversations(t *testing.T) {
	s, rdb, prefix := newRecords(t)
	ctx := context.Background()
	const id, ref = "19:abc@thread.tacv2", `{"serviceUrl":"https://smba.example/amer/"}`
	if _, found, err := s.Conversation(ctx, id); found || err != nil {
		t.Fatalf("unknown conversation: found %v, err %v", found, err)
	}
	if err := s.SaveConversation(ctx, id, ref); err != nil {
		t.Fatal(err)
	}
	got, found, err := s.Conversation(ctx, id)
	if !found || err != nil || got != ref {
		t.Fatalf("Conversation = %q %v %v, want the saved reference", got, found, err)
	}
	keys, _ := rdb.Keys(ctx, prefix+"*").Result()
	if len(keys) != 1 || !strings.HasPrefix(keys[0], prefix+"teams:") {
		t.Fatalf("keys %v: want one key under the prefix", keys)
	}
	if err := s.ForgetConversation(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.Conversation(ctx, id); found {
		t.Fatal("a forgotten conversation is still found")
	}
}

func TestTeamsPeople(t *testing.T) {
	s, _, _ := newRecords(t)
	ctx := context.Background()
	for _, p := range [][2]string{{"A1", `{"n":"Ann"}`}, {"B2", `{"n":"Bob"}`}, {"A1", `{"n":"Ann Lee"}`}} {
		if err := s.SavePerson(ctx, "tenant-1", p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.People(ctx, "tenant-1", []string{"A1", "C3", "B2"})
	want := map[string]string{"A1": `{"n":"Ann Lee"}`, "B2": `{"n":"Bob"}`}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("People = %v %v, want %v", got, err, want)
	}
	if other, _ := s.People(ctx, "tenant-2", []string{"A1"}); len(other) != 0 {
		t.Fatalf("people leak across tenants: %v", other)
	}
}

func TestTeamsIDsRefused(t *testing.T) {
	s, _, _ := newRecords(t)
	ctx := context.Background()
	for _, id := range []string{"", "a{b}", "a b", strings.Repeat("x", 513)} {
		if err := s.SaveConversation(ctx, id, "{}"); err == nil {
			t.Errorf("SaveConversation(%q) accepted", id)
		}
		if err := s.SavePerson(ctx, id, "U1", "{}"); err == nil {
			t.Errorf("SavePerson tenant %q accepted", id)
		}
	}
}

// newRecords is the adapter's directory kept in a fresh store.
func newRecords(t *testing.T) (Directory, redis.UniversalClient, string) {
	rdb, prefix := redistest.New(t)
	return StoreDirectory(store.New(rdb, prefix).Directory(firm.Teams)), rdb, prefix
}
