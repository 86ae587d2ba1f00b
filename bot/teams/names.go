package teams

import (
	"context"
	"encoding/json"

	"github.com/caisbot/caisbot/dialogs"
)

// nameBook is dialogs.NameBook for Teams: the names the bot stored when
// people last wrote to it (remember), for one tenant. Teams offers no
// lookup the bot may make without Graph permissions, so a person never
// seen is unknown.
type nameBook struct {
	dir    Directory
	tenant string
}

var _ dialogs.NameBook = nameBook{}

func (h *Handler) names(a *Activity) nameBook {
	return nameBook{dir: h.cfg.Store, tenant: h.tenantOf(a)}
}

func (b nameBook) DisplayName(ctx context.Context, user string) (string, bool) {
	found, err := b.dir.People(ctx, b.tenant, []string{user})
	if err != nil {
		return "", false // an id the directory refuses, or the store down
	}
	var p Person
	if json.Unmarshal([]byte(found[user]), &p) != nil || p.Name == "" {
		return "", false
	}
	return p.Name, true
}
