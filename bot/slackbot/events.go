package slackbot

import (
	"context"
	"net/http"

	"github.com/slack-go/slack/slackevents"
)

// event handles Events API deliveries (JSON bodies).
func (h *Handler) event(ctx context.Context, w http.ResponseWriter, body []byte) {
	outer, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	switch outer.Type {
	case slackevents.URLVerification:
		ch, _ := outer.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if ch == nil {
			http.Error(w, "malformed url_verification", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(ch.Challenge))
		return
	case slackevents.CallbackEvent:
		h.callback(ctx, outer)
	}
	w.WriteHeader(http.StatusOK)
}

// callback handles inner events; App Home hooks in here.
func (h *Handler) callback(ctx context.Context, outer slackevents.EventsAPIEvent) {
	h.log.Debug("event ignored", "type", outer.InnerEvent.Type)
}
