package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/caisbot/caisbot/bot/slackbot"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"
)

// bareHandler is the reference the bot is measured against: only the
// unavoidable work of /cais-next. It verifies the signature, reads the
// firm's progress with one HMGET, and writes a card the size of the bot's
// (encoded once: the reference pays no rendering at all).
func bareHandler(rdb redis.UniversalClient, secret, prefix string) http.Handler {
	card := referenceCard()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, slackbot.MaxBody))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err == nil {
			_, _ = sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil || form.Get("team_id") == "" {
			http.Error(w, "malformed form body", http.StatusBadRequest)
			return
		}
		if err := rdb.HMGet(r.Context(), prefix+"{"+form.Get("team_id")+"}:progress", "v", "p").Err(); err != nil {
			http.Error(w, "redis: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(card)
	})
}

// referenceCard is the bot's /cais-next answer for a new firm, rendered by
// the bot's own renderer, as the bot encodes it.
func referenceCard() []byte {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		loc = time.UTC
	}
	f := &dialogs.Flow{Roadmap: dialogs.Default(), Loc: loc}
	reply := f.Card(dialogs.Progress{}, time.Now())
	rd := slackbot.Renderer{Command: "/cais-next"}
	b, _ := json.Marshal(struct {
		ResponseType string        `json:"response_type"`
		Text         string        `json:"text"`
		Blocks       []slack.Block `json:"blocks"`
	}{"ephemeral", rd.Fallback(reply), rd.Blocks(reply)})
	return append(b, '\n')
}
