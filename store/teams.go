package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/redis/go-redis/v9"
)

// The Teams adapter's directory: where the bot can post (a conversation
// reference per chat or channel, kept until the bot is removed) and the
// display names of users, per tenant, so cards can name people. Values
// are JSON the adapter owns; the store keeps them as they are.

// maxTeamsID bounds conversation, tenant and user ids; Teams' longest
// (personal chat ids) are about 150 bytes.
const maxTeamsID = 512

// maxPeople bounds the names kept per tenant; past it new users are shown
// as "a Teams user" until one of the kept ones leaves.
const maxPeople = 10000

func checkTeamsID(what, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("store: empty Teams %s id", what)
	case len(id) > maxTeamsID:
		return fmt.Errorf("store: Teams %s id longer than %d bytes", what, maxTeamsID)
	case strings.ContainsAny(id, "{}") || strings.ContainsFunc(id, unicode.IsSpace):
		return fmt.Errorf("store: Teams %s id %q contains a brace or whitespace", what, id)
	}
	return nil
}

func (r *Redis) teamsConvKey(id string) (string, error) {
	if err := checkTeamsID("conversation", id); err != nil {
		return "", err
	}
	return r.prefix + "teams:conv:" + id, nil
}

func (r *Redis) teamsPeopleKey(tenant string) (string, error) {
	if err := checkTeamsID("tenant", tenant); err != nil {
		return "", err
	}
	return r.prefix + "teams:people:" + tenant, nil
}

// SaveConversation stores the reference of conversation id.
func (r *Redis) SaveConversation(ctx context.Context, id, ref string) error {
	k, err := r.teamsConvKey(id)
	if err != nil {
		return err
	}
	if err := r.c.Set(ctx, k, ref, 0).Err(); err != nil {
		return unavailable("teams conversation", err)
	}
	return nil
}

// Conversation reads the reference of conversation id.
func (r *Redis) Conversation(ctx context.Context, id string) (string, bool, error) {
	k, err := r.teamsConvKey(id)
	if err != nil {
		return "", false, err
	}
	ref, err := r.c.Get(ctx, k).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return "", false, nil
	case err != nil:
		return "", false, unavailable("teams conversation", err)
	}
	return ref, true, nil
}

// ForgetConversation deletes the reference (the bot was removed).
func (r *Redis) ForgetConversation(ctx context.Context, id string) error {
	k, err := r.teamsConvKey(id)
	if err != nil {
		return err
	}
	if err := r.c.Del(ctx, k).Err(); err != nil {
		return unavailable("teams conversation", err)
	}
	return nil
}

// SavePerson stores how user of tenant is shown.
func (r *Redis) SavePerson(ctx context.Context, tenant, user, person string) error {
	k, err := r.teamsPeopleKey(tenant)
	if err != nil {
		return err
	}
	if err := checkTeamsID("user", user); err != nil {
		return err
	}
	n, err := r.c.HLen(ctx, k).Result()
	if err != nil {
		return unavailable("teams people", err)
	}
	if n >= maxPeople {
		// Renaming a kept user still works; adding one does not. The cap
		// is soft: replicas racing past it add a few more.
		kept, err := r.c.HExists(ctx, k, user).Result()
		if err != nil {
			return unavailable("teams people", err)
		}
		if !kept {
			return nil
		}
	}
	if err := r.c.HSet(ctx, k, user, person).Err(); err != nil {
		return unavailable("teams people", err)
	}
	return nil
}

// People reads the stored people among users; unknown ones are absent.
func (r *Redis) People(ctx context.Context, tenant string, users []string) (map[string]string, error) {
	k, err := r.teamsPeopleKey(tenant)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if len(users) == 0 {
		return out, nil
	}
	vals, err := r.c.HMGet(ctx, k, users...).Result()
	if err != nil {
		return nil, unavailable("teams people", err)
	}
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[users[i]] = s
		}
	}
	return out, nil
}
