package teams

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Records is the platform-scoped directory the store keeps for Teams
// (store.Directory for platform "teams"): opaque values and small hashes
// by kind and id. The rules for Teams ids live here, not in the store.
type Records interface {
	Put(ctx context.Context, kind, id, value string) error
	Get(ctx context.Context, kind, id string) (value string, found bool, err error)
	Delete(ctx context.Context, kind, id string) error
	PutField(ctx context.Context, kind, id, field, value string, limit int64) error
	Fields(ctx context.Context, kind, id string, fields []string) (map[string]string, error)
	PutFor(ctx context.Context, kind, id, value string, ttl time.Duration) error
	Take(ctx context.Context, kind, id string) (value string, found bool, err error)
}

// The kinds of record the adapter keeps. Their keys ("teams:conv:<id>",
// "teams:people:<tenant>") are those every build has written.
const (
	kindConversation = "conv"
	kindPeople       = "people"
)

// maxTeamsID bounds conversation, tenant and user ids; Teams' longest
// (personal chat ids) are about 150 bytes.
const maxTeamsID = 512

// maxPeople bounds the names kept per tenant; past it new users are shown
// by their id until one of the kept ones leaves.
const maxPeople = 10000

func checkTeamsID(what, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("teams: empty %s id", what)
	case len(id) > maxTeamsID:
		return fmt.Errorf("teams: %s id longer than %d bytes", what, maxTeamsID)
	case strings.ContainsAny(id, "{}") || strings.ContainsFunc(id, unicode.IsSpace):
		return fmt.Errorf("teams: %s id %q contains a brace or whitespace", what, id)
	}
	return nil
}

// StoreDirectory is the adapter's Directory kept in the store's records.
func StoreDirectory(r Records) Directory { return recordDirectory{r} }

type recordDirectory struct{ r Records }

func (d recordDirectory) SaveConversation(ctx context.Context, id, ref string) error {
	if err := checkTeamsID("conversation", id); err != nil {
		return err
	}
	return d.r.Put(ctx, kindConversation, id, ref)
}

func (d recordDirectory) Conversation(ctx context.Context, id string) (string, bool, error) {
	if err := checkTeamsID("conversation", id); err != nil {
		return "", false, err
	}
	return d.r.Get(ctx, kindConversation, id)
}

func (d recordDirectory) ForgetConversation(ctx context.Context, id string) error {
	if err := checkTeamsID("conversation", id); err != nil {
		return err
	}
	return d.r.Delete(ctx, kindConversation, id)
}

func (d recordDirectory) SavePerson(ctx context.Context, tenant, user, person string) error {
	if err := checkTeamsID("tenant", tenant); err != nil {
		return err
	}
	if err := checkTeamsID("user", user); err != nil {
		return err
	}
	return d.r.PutField(ctx, kindPeople, tenant, user, person, maxPeople)
}

func (d recordDirectory) People(ctx context.Context, tenant string, users []string) (map[string]string, error) {
	if err := checkTeamsID("tenant", tenant); err != nil {
		return nil, err
	}
	return d.r.Fields(ctx, kindPeople, tenant, users)
}

// kindOffer holds files offered through a file-consent card, by offer id.
const kindOffer = "offer"

func (d recordDirectory) HoldOffer(ctx context.Context, id, offer string, ttl time.Duration) error {
	if err := checkTeamsID("offer", id); err != nil {
		return err
	}
	return d.r.PutFor(ctx, kindOffer, id, offer, ttl)
}

func (d recordDirectory) TakeOffer(ctx context.Context, id string) (string, bool, error) {
	if err := checkTeamsID("offer", id); err != nil {
		return "", false, err
	}
	return d.r.Take(ctx, kindOffer, id)
}
