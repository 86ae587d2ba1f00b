package slackbot

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/cache"
	"github.com/slack-go/slack"
)

// nameBook is dialogs.NameBook for Slack: users.info (scope users:read)
// through the bot's Web API, remembered for a while, so an exam packet
// can name the people of entries that recorded no display name. Asked
// only when dialogs needs a name, so setting it on every event is free.
type nameBook struct {
	// api is the Web API client of the request's workspace (Handler.api).
	api  func(context.Context) API
	log  *slog.Logger
	now  func() time.Time
	seen cache.Map[string, nameEntry]
}

type nameEntry struct {
	name  string
	ok    bool
	until time.Time
}

const (
	nameTTL = time.Hour
	// missTTL: a user Slack does not know is asked again sooner.
	missTTL = 5 * time.Minute
	// nameWait bounds one lookup: a packet waits for its names.
	nameWait = 2 * time.Second
	maxNames = 5000
	// maxNameRunes bounds a name as the packet prints it.
	maxNameRunes = 80
)

var (
	nameLimit = cache.Limit{Max: maxNames}
	// slackUser is the shape of the ids the bot asks Slack about; any
	// other id in a trail (another platform's, a damaged one) is not sent.
	slackUser = regexp.MustCompile(`^[UW][A-Z0-9]{1,20}$`)
	tokenLike = regexp.MustCompile(`xox[a-zA-Z]-[A-Za-z0-9-]*`)
)

var _ dialogs.NameBook = (*nameBook)(nil)

func newNameBook(api func(context.Context) API, log *slog.Logger) *nameBook {
	return &nameBook{api: api, log: log, now: time.Now}
}

// DisplayName is the user's display name, else their real name; ok is
// false when Slack does not say (unknown user, an error, no name).
func (b *nameBook) DisplayName(ctx context.Context, user string) (string, bool) {
	if !slackUser.MatchString(user) {
		return "", false
	}
	now := b.now()
	if e, hit := b.seen.Get(user); hit && now.Before(e.until) {
		return e.name, e.ok
	}
	ctx, cancel := context.WithTimeout(ctx, nameWait)
	defer cancel()
	u, err := b.api(ctx).GetUserInfoContext(ctx, user)
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &se) && se.Err == "user_not_found":
		b.seen.Put(user, nameEntry{until: now.Add(missTTL)}, nameLimit)
		return "", false
	case err != nil:
		// The error never holds the token; redact anyway.
		b.log.Warn("cannot look up a Slack display name", "user", user, "err", tokenLike.ReplaceAllString(err.Error(), "xox…"))
		// Slack's own refusals (missing_scope before a re-install,
		// invalid_auth) are remembered for a while, so a packet is not
		// slowed by asking again for every person; passing failures
		// (429, 5xx, timeouts) are not.
		if errors.As(err, &se) && se.Err != "ratelimited" {
			b.seen.Put(user, nameEntry{until: now.Add(missTTL)}, nameLimit)
		}
		return "", false
	}
	name := cleanName(u.Profile.DisplayName)
	if name == "" {
		name = cleanName(u.Profile.RealName)
	}
	if name == "" {
		name = cleanName(u.RealName)
	}
	b.seen.Put(user, nameEntry{name: name, ok: name != "", until: now.Add(nameTTL)}, nameLimit)
	return name, name != ""
}

// cleanName drops control and format characters (a right-to-left
// override could make a name read as another) and bounds the length: a
// name is printed in files an examiner reads.
func cleanName(s string) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s))
	if r := []rune(s); len(r) > maxNameRunes {
		s = string(r[:maxNameRunes-1]) + "…"
	}
	return s
}
