package slackbot

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/caisbot/caisbot/install"
	"github.com/caisbot/caisbot/internal/cache"
	"github.com/slack-go/slack"
)

// Token rotation. With rotation on in the app's settings, oauth.v2.access
// gives a bot token that expires (12 hours) and a refresh token that can
// be spent once for the next pair. A token is refreshed when it is used
// within RefreshMargin of its expiry (every request and reminder gets its
// client through Installed). Refresh tokens are single-use, so one
// replica at a time refreshes an installation: it holds the
// installation's lock (a Redis lease), re-reads the record, and stores
// the new pair by compare-and-set; the others keep using the current
// token while it is valid, or wait for the new one. A failed refresh is
// logged (never a token) and tried again after RetryAfter.

// RefreshMargin is how long before expiry a token is refreshed (Bolt's).
const RefreshMargin = 2 * time.Hour

// ErrExpired is returned when a token has expired and no refresh could
// replace it.
var ErrExpired = errors.New("slackbot: the workspace's Slack token expired and could not be refreshed")

// Rotations keeps installations' tokens (install.Store).
type Rotations interface {
	Get(ctx context.Context, k install.Key) (install.Installation, error)
	Rotate(ctx context.Context, prev install.Installation, bot, refresh install.Token, expires time.Time) (install.Installation, error)
}

// Locks takes and releases an installation's refresh lock (store.Redis).
type Locks interface {
	LockInstallation(ctx context.Context, key, token string, lease time.Duration) (bool, error)
	UnlockInstallation(ctx context.Context, key, token string) error
}

// RotatorConfig holds a Rotator's dependencies.
type RotatorConfig struct {
	ClientID, ClientSecret string
	APIURL                 string // SLACK_API_URL: oauth.v2.access is called under it
	HTTP                   *http.Client
	Store                  Rotations
	Locks                  Locks
	Logger                 *slog.Logger
	Now                    func() time.Time
	// Lease bounds one refresh; RetryAfter spaces failed attempts; Poll
	// is how often a replica waiting for another's refresh looks.
	Lease, RetryAfter, Poll time.Duration
}

// Rotator refreshes installations' tokens before they expire.
type Rotator struct {
	cfg    RotatorConfig
	failed cache.Map[install.Key, time.Time] // when a failed refresh may be tried again
}

var failedLimit = cache.Limit{Max: maxInstalled}

// NewRotator checks the configuration and fills its defaults.
func NewRotator(cfg RotatorConfig) (*Rotator, error) {
	if cfg.ClientID == "" || cfg.APIURL == "" || cfg.HTTP == nil || cfg.Store == nil || cfg.Locks == nil {
		return nil, errors.New("slackbot: NewRotator needs the client id, the API URL, an HTTP client, the installations and their locks")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	setDefault(&cfg.Lease, 15*time.Second)
	setDefault(&cfg.RetryAfter, time.Minute)
	setDefault(&cfg.Poll, 100*time.Millisecond)
	return &Rotator{cfg: cfg}, nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// Fresh returns in with a token good for at least RefreshMargin when it
// can: in itself without rotation or far from expiry, else after a
// refresh (here or on another replica). While a refresh fails, the
// current token is used until it expires; then ErrExpired.
func (r *Rotator) Fresh(ctx context.Context, in install.Installation) (install.Installation, error) {
	now := r.cfg.Now()
	if in.RefreshToken == "" || in.ExpiresAt.Sub(now) > RefreshMargin {
		return in, nil
	}
	k, err := in.Key()
	if err != nil {
		return install.Installation{}, err
	}
	if again, failed := r.failed.Get(k); failed && now.Before(again) {
		return r.current(in, now)
	}
	lock := rand.Text()
	held, err := r.cfg.Locks.LockInstallation(ctx, k.String(), lock, r.cfg.Lease)
	switch {
	case err != nil:
		r.cfg.Logger.Warn("slack token refresh: cannot take the lock; using the current token", "installation", k.String(), "err", err)
		return r.current(in, now)
	case !held:
		return r.await(ctx, k, in)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = r.cfg.Locks.UnlockInstallation(uctx, k.String(), lock) // else it lapses
	}()
	return r.refresh(ctx, k, in)
}

// refresh spends the refresh token, under the lock. The record is read
// again first: another replica may have refreshed it just before.
func (r *Rotator) refresh(ctx context.Context, k install.Key, in install.Installation) (install.Installation, error) {
	cur, err := r.cfg.Store.Get(ctx, k)
	switch {
	case err != nil:
		return install.Installation{}, err
	case cur.RefreshToken != in.RefreshToken:
		return cur, nil
	}
	log := r.cfg.Logger.With("installation", k.String())
	now := r.cfg.Now()
	resp, err := slack.RefreshOAuthV2TokenContext(ctx, r.cfg.HTTP, r.cfg.ClientID, r.cfg.ClientSecret, cur.RefreshToken.Reveal(),
		slack.OAuthOptionAPIURL(r.cfg.APIURL))
	if err == nil && (resp.AccessToken == "" || resp.RefreshToken == "" || resp.ExpiresIn <= 0) {
		err = errIncomplete
	}
	if err != nil {
		r.failed.Put(k, now.Add(r.cfg.RetryAfter), failedLimit)
		log.Warn("slack token refresh failed; the current token is used while valid and the refresh retried", "err", refreshError(err),
			"expires_at", cur.ExpiresAt, "retry_after", r.cfg.RetryAfter)
		return r.current(cur, now)
	}
	expires := now.Add(time.Duration(resp.ExpiresIn) * time.Second)
	next, err := r.cfg.Store.Rotate(ctx, cur, install.Token(resp.AccessToken), install.Token(resp.RefreshToken), expires)
	if err != nil {
		// The old refresh token is spent: if the new pair is lost too the
		// workspace must reinstall. Say so loudly; use the new token now.
		log.Error("slack token refreshed but not stored; if this persists the workspace must add caisbot again", "err", err)
		cur.BotToken, cur.RefreshToken, cur.ExpiresAt = install.Token(resp.AccessToken), install.Token(resp.RefreshToken), expires
		return cur, nil
	}
	r.failed.Delete(k)
	log.Info("slack token refreshed", "expires_at", expires)
	return next, nil
}

// await waits for the replica holding the lock to store a new token,
// using the current one meanwhile if it is still valid.
func (r *Rotator) await(ctx context.Context, k install.Key, in install.Installation) (install.Installation, error) {
	if r.cfg.Now().Before(in.ExpiresAt) {
		return in, nil
	}
	t := time.NewTicker(r.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return install.Installation{}, ErrExpired
		case <-t.C:
		}
		cur, err := r.cfg.Store.Get(ctx, k)
		if err != nil {
			return install.Installation{}, err
		}
		if cur.RefreshToken != in.RefreshToken {
			return cur, nil
		}
	}
}

// current is in while its token has not expired.
func (r *Rotator) current(in install.Installation, now time.Time) (install.Installation, error) {
	if now.Before(in.ExpiresAt) {
		return in, nil
	}
	return install.Installation{}, ErrExpired
}

// refreshError is what the log keeps of a failed refresh: Slack's error
// code or the kind of failure, never the request (it holds the tokens).
func refreshError(err error) string {
	if errors.Is(err, errIncomplete) {
		return err.Error()
	}
	return exchangeError(err)
}

var errIncomplete = errors.New("no token, refresh token or expiry in Slack's answer")
