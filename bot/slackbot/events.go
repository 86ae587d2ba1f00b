package slackbot

import (
	"context"

	"github.com/slack-go/slack/slackevents"
)

// event handles Events API deliveries (JSON bodies).
func (h *Handler) event(ctx context.Context, body []byte) answer {
	outer, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		return bad("malformed event")
	}
	if outer.Type == slackevents.URLVerification {
		ch, _ := outer.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if ch == nil {
			return bad("malformed url_verification")
		}
		return answer{status: 200, text: ch.Challenge}
	}
	return h.callback(ctx, outer)
}

// callback handles inner events: App Home, and a workspace removing
// caisbot (lifecycle.go).
func (h *Handler) callback(ctx context.Context, outer slackevents.EventsAPIEvent) answer {
	if outer.Type != slackevents.CallbackEvent {
		return ok(nil)
	}
	switch ev := outer.InnerEvent.Data.(type) {
	case *slackevents.AppHomeOpenedEvent:
		if ev.Tab != "home" {
			break
		}
		// A workspace without an installation has no Home to publish to.
		if ctx, refused := h.workspace(ctx, Workspace{Team: outer.TeamID, Enterprise: outer.EnterpriseID}); refused == nil {
			h.homeOpened(ctx, outer.TeamID, ev.User)
		}
	case *slackevents.AppUninstalledEvent:
		return h.removal(ctx, outer, false, nil)
	case *slackevents.TokensRevokedEvent:
		return h.removal(ctx, outer, true, ev.Tokens.Bot)
	}
	return ok(nil)
}
