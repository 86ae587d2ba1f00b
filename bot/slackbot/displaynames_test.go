package slackbot

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/internal/slackfake"
	"github.com/slack-go/slack"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTestNameBook(t *testing.T) (*nameBook, *slackfake.Server, *syncBuffer) {
	fake := slackfake.New(t)
	var logs syncBuffer
	api := slack.New("xoxb-secret-token", slack.OptionAPIURL(fake.APIURL()))
	return newNameBook(func(context.Context) API { return api }, slog.New(slog.NewTextHandler(&logs, nil))), fake, &logs
}

func TestDisplayNameFromUsersInfo(t *testing.T) {
	b, fake, _ := newTestNameBook(t)
	fake.AddUser(slackfake.User{ID: "U1", DisplayName: "ada", RealName: "Ada Lovelace"})
	fake.AddUser(slackfake.User{ID: "U2", RealName: "Bob Operations"})
	fake.AddUser(slackfake.User{ID: "U3", DisplayName: "  "})
	fake.AddUser(slackfake.User{ID: "U4", DisplayName: "Eve\u202e\x07 " + strings.Repeat("x", 200)})
	tests := []struct {
		user, want string
		ok         bool
	}{
		{"U1", "ada", true},            // display name first
		{"U2", "Bob Operations", true}, // else the real name
		{"U3", "", false},              // no name at all
		{"U9", "", false},              // unknown to Slack
		{"29:teams-id", "", false},     // not a Slack id: never asked
	}
	for _, tc := range tests {
		if name, ok := b.DisplayName(context.Background(), tc.user); name != tc.want || ok != tc.ok {
			t.Errorf("%s: %q %v, want %q %v", tc.user, name, ok, tc.want, tc.ok)
		}
	}
	if name, _ := b.DisplayName(context.Background(), "U4"); strings.ContainsAny(name, "\u202e\x07") || len([]rune(name)) != maxNameRunes {
		t.Errorf("a hostile name is kept as %q (%d runes)", name, len([]rune(name)))
	}
	for _, c := range fake.Calls("users.info") {
		if c.Param("user") == "29:teams-id" {
			t.Error("a non-Slack id was sent to users.info")
		}
	}
}

// Names are asked once per hour; an unknown user is asked again after a
// few minutes; the cache is bounded.
func TestDisplayNamesAreCached(t *testing.T) {
	b, fake, _ := newTestNameBook(t)
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	b.now = func() time.Time { return now }
	fake.AddUser(slackfake.User{ID: "U1", DisplayName: "ada"})
	ctx := context.Background()
	for range 3 {
		b.DisplayName(ctx, "U1")
		b.DisplayName(ctx, "U9")
	}
	if n := len(fake.Calls("users.info")); n != 2 {
		t.Fatalf("%d users.info calls for two users asked three times", n)
	}
	now = now.Add(missTTL + time.Second)
	b.DisplayName(ctx, "U1")
	b.DisplayName(ctx, "U9")
	if n := len(fake.Calls("users.info")); n != 3 {
		t.Fatalf("%d calls: the unknown user should be asked again, the known one not yet", n)
	}
	now = now.Add(nameTTL)
	fake.AddUser(slackfake.User{ID: "U1", DisplayName: "ada l."})
	if name, _ := b.DisplayName(ctx, "U1"); name != "ada l." {
		t.Fatalf("after an hour the name is %q, want the new one", name)
	}
	for i := range maxNames + 100 {
		b.seen.Put("U"+itoa(i), nameEntry{until: now.Add(time.Hour)}, nameLimit)
	}
	if n := b.seen.Len(); n > maxNames {
		t.Fatalf("cache holds %d names, bound %d", n, maxNames)
	}
}

// A failing users.info is not a name and is logged without the token. A
// passing failure is not remembered; Slack's refusal (missing_scope until
// the app is re-installed) is, for a few minutes.
func TestDisplayNameErrors(t *testing.T) {
	b, fake, logs := newTestNameBook(t)
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	b.now = func() time.Time { return now }
	fake.AddUser(slackfake.User{ID: "U1", DisplayName: "ada"})
	fake.AddUser(slackfake.User{ID: "U2", DisplayName: "bob"})
	ctx := context.Background()
	for _, f := range []slackfake.Failure{
		{Status: http.StatusTooManyRequests, RetryAfter: "30"},
		{Status: http.StatusInternalServerError},
	} {
		fake.FailNext("users.info", f)
		if name, ok := b.DisplayName(ctx, "U1"); ok || name != "" {
			t.Errorf("%+v: got %q", f, name)
		}
	}
	if name, ok := b.DisplayName(ctx, "U1"); !ok || name != "ada" {
		t.Fatalf("after passing failures: %q %v; they must not be remembered", name, ok)
	}
	fake.FailNext("users.info", slackfake.Failure{Status: http.StatusOK, Error: "missing_scope xoxb-secret-token"})
	for range 3 {
		if _, ok := b.DisplayName(ctx, "U2"); ok {
			t.Fatal("a name despite missing_scope")
		}
	}
	asked := len(fake.Calls("users.info"))
	now = now.Add(missTTL + time.Second)
	if name, ok := b.DisplayName(ctx, "U2"); !ok || name != "bob" || len(fake.Calls("users.info")) != asked+1 {
		t.Fatalf("after the re-install: %q %v", name, ok)
	}
	if asked != 4 {
		t.Errorf("%d users.info calls; missing_scope should be asked once, not per lookup", asked)
	}
	out := logs.String()
	if strings.Count(out, "cannot look up a Slack display name") != 3 || strings.Contains(out, "secret-token") || !strings.Contains(out, "missing_scope") {
		t.Fatalf("log:\n%s", out)
	}
}

func TestDisplayNameLookupIsBounded(t *testing.T) {
	b, fake, _ := newTestNameBook(t)
	fake.AddUser(slackfake.User{ID: "U1", DisplayName: "ada"})
	fake.FailNext("users.info", slackfake.Failure{Hang: 10 * time.Second})
	start := time.Now()
	if _, ok := b.DisplayName(context.Background(), "U1"); ok {
		t.Fatal("a hung lookup gave a name")
	}
	if took := time.Since(start); took > nameWait+time.Second {
		t.Fatalf("a hung users.info held the lookup %v", took)
	}
}
