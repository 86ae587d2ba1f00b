package store

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config says where Redis is. Exactly one of URL or Addrs is normally set;
// when both are, Addrs names the nodes (Cluster or Sentinels) and the URL
// supplies only the credentials, TLS and database.
type Config struct {
	URL            string   `envconfig:"REDIS_URL"`
	Addrs          []string `envconfig:"REDIS_ADDRS"`
	SentinelMaster string   `envconfig:"REDIS_SENTINEL_MASTER"`
	Prefix         string   `envconfig:"CAIS_REDIS_PREFIX" default:"cais:"`
}

// Timeouts fit Slack's 3 s budget for the whole request: one Load and one
// Commit must fail fast enough to still answer "try again". go-redis's
// defaults (5 s timeouts, 3 retries, 5 dial attempts) would outlast it.
// One retry stays because the first command on a pooled connection that
// Redis closed (restart, failover, idle timeout) fails at once and the
// retry dials afresh; Commit is safe to retry (see commitScript). Worst
// case per command is about 2 × 1 s. Values set in the URL's query
// (dial_timeout=…, max_retries=…) win.
const (
	dialTimeout = time.Second
	ioTimeout   = 700 * time.Millisecond
	poolTimeout = time.Second
	maxRetries  = 1
	maxBackoff  = 100 * time.Millisecond
)

// Open builds a client for a single node (URL or one address), a Cluster
// (several Addrs) or Sentinel (SentinelMaster with the Sentinels in
// Addrs). It does not connect; call Ping to find out whether Redis answers.
func Open(cfg Config) (redis.UniversalClient, error) {
	opts, err := universalOptions(cfg)
	if err != nil {
		return nil, err
	}
	tighten(opts)
	return redis.NewUniversalClient(opts), nil
}

func universalOptions(cfg Config) (*redis.UniversalOptions, error) {
	addrs := cleanAddrs(cfg.Addrs)
	switch {
	case cfg.SentinelMaster != "" && len(addrs) == 0:
		return nil, errors.New("REDIS_SENTINEL_MASTER is set but REDIS_ADDRS does not list the Sentinels")
	case cfg.URL == "" && len(addrs) == 0:
		return nil, errors.New("REDIS_URL or REDIS_ADDRS must be set")
	}
	o := &redis.UniversalOptions{}
	if cfg.URL != "" {
		u, err := parseURL(cfg.URL)
		if err != nil {
			return nil, err
		}
		o = fromURL(u)
	}
	if len(addrs) > 0 {
		o.Addrs = addrs
	}
	o.MasterName = cfg.SentinelMaster
	return o, nil
}

// cleanAddrs drops the blanks a "a:6379, b:6379" list leaves.
func cleanAddrs(in []string) []string {
	var out []string
	for _, a := range in {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// fromURL keeps what a URL can say that matters to us, TLS included.
func fromURL(u *redis.Options) *redis.UniversalOptions {
	return &redis.UniversalOptions{
		Addrs:        []string{u.Addr},
		ClientName:   u.ClientName,
		DB:           u.DB,
		Protocol:     u.Protocol,
		Username:     u.Username,
		Password:     u.Password,
		TLSConfig:    u.TLSConfig,
		MaxRetries:   u.MaxRetries,
		DialTimeout:  u.DialTimeout,
		ReadTimeout:  u.ReadTimeout,
		WriteTimeout: u.WriteTimeout,
		PoolSize:     u.PoolSize,
		PoolTimeout:  u.PoolTimeout,
	}
}

// tighten fills what the URL left unset with our short timeouts. Caller
// deadlines also bound each call (ContextTimeoutEnabled), so a handler
// with 1 s left does not wait 2 s.
func tighten(o *redis.UniversalOptions) {
	setDefault(&o.DialTimeout, dialTimeout)
	setDefault(&o.ReadTimeout, ioTimeout)
	setDefault(&o.WriteTimeout, ioTimeout)
	setDefault(&o.PoolTimeout, poolTimeout)
	setDefault(&o.MaxRetryBackoff, maxBackoff)
	setDefault(&o.MaxRetries, maxRetries)
	setDefault(&o.DialerRetries, 1) // one dial per attempt; MaxRetries is the retry
	o.ContextTimeoutEnabled = true
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// parseURL accepts redis:// and rediss:// only, and never lets the
// password into the error: net/url quotes the whole URL in its errors.
func parseURL(raw string) (*redis.Options, error) {
	if !strings.HasPrefix(raw, "redis://") && !strings.HasPrefix(raw, "rediss://") {
		return nil, errors.New("REDIS_URL must start with redis:// or rediss://")
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // drops the quoted URL
		}
		return nil, fmt.Errorf("REDIS_URL is not a valid redis:// URL: %s", scrub(err.Error(), raw))
	}
	return o, nil
}

// scrub removes the URL's user info from msg, in case a cause quotes it.
// It finds the user info by hand because the URL may not parse.
func scrub(msg, raw string) string {
	rest := raw[strings.Index(raw, "://")+3:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return msg
	}
	userinfo := rest[:at]
	msg = strings.ReplaceAll(msg, userinfo, "xxxxx")
	if _, pass, ok := strings.Cut(userinfo, ":"); ok && pass != "" {
		msg = strings.ReplaceAll(msg, pass, "xxxxx")
	}
	return msg
}
