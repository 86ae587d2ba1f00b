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
	h.callback(ctx, outer)
	return ok(nil)
}

// callback handles inner events: App Home is the one the bot uses.
func (h *Handler) callback(ctx context.Context, outer slackevents.EventsAPIEvent) {
	if outer.Type != slackevents.CallbackEvent {
		return
	}
	if ev, ok := outer.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok && ev.Tab == "home" {
		// A workspace without an installation has no Home to publish to.
		if ctx, refused := h.workspace(ctx, Workspace{Team: outer.TeamID, Enterprise: outer.EnterpriseID}); refused == nil {
			h.homeOpened(ctx, outer.TeamID, ev.User)
		}
	}
}
