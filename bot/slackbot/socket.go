package slackbot

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// ackFlushGrace is how long a shutdown waits for queued acks to be written.
const ackFlushGrace = 300 * time.Millisecond

// RunSocketMode serves Slack over Socket Mode until ctx ends: no public
// URL is needed. The client reconnects by itself; every envelope goes to
// the same dispatch code as HTTP and is acknowledged within the budget.
func (h *Handler) RunSocketMode(ctx context.Context, client *socketmode.Client) error {
	// The socket outlives ctx until the envelopes in flight are acknowledged:
	// a shutdown stops taking new ones, finishes the rest, then closes.
	sockCtx, closeSock := context.WithCancel(context.WithoutCancel(ctx))
	defer closeSock()
	var inflight sync.WaitGroup
	go func() {
		for {
			select {
			case <-ctx.Done():
				inflight.Wait()
				// slack-go hands acks to a writer goroutine; give it time
				// to put the last ones on the wire before closing.
				time.Sleep(ackFlushGrace)
				closeSock()
				return
			case evt := <-client.Events:
				h.socketEvent(sockCtx, client, evt, &inflight)
			}
		}
	}()
	return client.RunContext(sockCtx)
}

func (h *Handler) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event, inflight *sync.WaitGroup) {
	switch evt.Type {
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnected, socketmode.EventTypeHello:
		h.log.Info("socket mode", "state", string(evt.Type))
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		h.log.Warn("socket mode", "state", string(evt.Type))
		return
	}
	if evt.Request == nil {
		return
	}
	// Each envelope runs on its own so a slow one never delays the others.
	done := h.bg.Track()
	inflight.Add(1)
	go func() {
		defer done()
		defer inflight.Done()
		start := time.Now()
		rctx, rq := h.begin(ctx)
		rctx = adapter.WithDelivery(rctx, socketDelivery(evt.Request.EnvelopeID))
		rctx, cancel := context.WithTimeout(rctx, h.cfg.Budget)
		defer cancel()
		a := h.socketAnswer(rctx, evt)
		defer h.observe(string(evt.Type), rq, a, start)
		if err := client.AckCtx(rctx, evt.Request.EnvelopeID, a.body); err != nil {
			// Slack drops acks of 20 KB or more: ack bare, send the reply
			// through the response_url instead.
			h.log.Warn("socket mode ack with payload failed", "type", string(evt.Type), "err", err)
			_ = client.AckCtx(rctx, evt.Request.EnvelopeID, nil)
			if sc, isCmd := evt.Data.(slack.SlashCommand); isCmd && a.body != nil {
				m, _ := a.body.(json.RawMessage) // commands always answer encoded JSON
				h.background(ctx, "response_url", func(ctx context.Context) error { return h.respond(ctx, sc.ResponseURL, m) })
			}
		}
	}()
}

func (h *Handler) socketAnswer(ctx context.Context, evt socketmode.Event) answer {
	switch data := evt.Data.(type) {
	case slack.SlashCommand:
		return h.command(ctx, data)
	case slack.InteractionCallback:
		return h.interaction(ctx, &data)
	case slackevents.EventsAPIEvent:
		return h.callback(ctx, data)
	}
	return ok(nil)
}
