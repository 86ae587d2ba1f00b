package slackbot

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/install"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Lifecycle is told when a workspace removes caisbot: it drops the
// installation's tokens and pauses the workspace's announcements
// (workspace.Lifecycle). Nil in single-workspace mode.
type Lifecycle interface {
	Removed(ctx context.Context, rm install.Removal) (install.Outcome, error)
}

// lifecycleWait bounds the work an uninstall does (every firm of the
// workspace is paused) past the request's budget: Slack retries an
// event it got no 2xx for within 3 s, and a retry meets the claim below.
const lifecycleWait = 30 * time.Second

// removal handles app_uninstalled and tokens_revoked. Once per event
// (event_id, the same over HTTP and Socket Mode): a duplicate of one
// that finished is acknowledged; one still running, or one that failed,
// is answered 503 so Slack delivers it again later (pausing is
// idempotent).
func (h *Handler) removal(ctx context.Context, outer slackevents.EventsAPIEvent, revoked bool, bots []string) answer {
	cb, _ := outer.Data.(*slackevents.EventsAPICallbackEvent)
	log := h.logger(ctx).With("team", outer.TeamID, "enterprise", outer.EnterpriseID, "revoked", revoked)
	if h.cfg.Lifecycle == nil {
		// One bot token from the environment: caisbot cannot remove it or
		// get a new one; the operator must (README).
		if !revoked || len(bots) > 0 {
			log.Error("Slack says caisbot was removed from the workspace or its bot token revoked: SLACK_BOT_TOKEN no longer works; reinstall the app and set the new token")
		}
		return ok(nil)
	}
	rm, valid := removalOf(outer, cb, revoked, bots, time.Now())
	if !valid || revoked && len(bots) == 0 {
		log.Info("removal event changes nothing (no bot token revoked, or no workspace named)")
		return ok(nil)
	}
	var id string
	if cb != nil {
		id = cb.EventID
	}
	c, dup, err := h.cfg.Once.Begin(ctx, adapter.DeliveryKey("slack-event", id))
	switch {
	case err != nil:
		return answer{status: http.StatusServiceUnavailable, text: "try again"}
	case dup != nil && dup.Done:
		return ok(nil)
	case dup != nil:
		return answer{status: http.StatusServiceUnavailable, text: "still working on it"}
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lifecycleWait)
	defer cancel()
	out, err := h.cfg.Lifecycle.Removed(lctx, rm)
	if f, ok := h.cfg.Clients.(interface{ Forget(install.Key) }); ok && out != install.NoRecord {
		f.Forget(rm.Key)
	}
	c.Finish(ctx, err == nil, nil)
	if err != nil {
		log.Error("removal event not fully applied; Slack will deliver it again", "err", err)
		return answer{status: http.StatusServiceUnavailable, text: "try again"}
	}
	return ok(nil)
}

// removalOf reads which installation an event removes: an org-wide one
// when the event was delivered for it (its authorizations say so), else
// the team's. valid is false when the event names neither.
func removalOf(outer slackevents.EventsAPIEvent, cb *slackevents.EventsAPICallbackEvent, revoked bool, bots []string, now time.Time) (install.Removal, bool) {
	rm := install.Removal{At: now, Revoked: revoked, Bots: bots, Reason: "app_uninstalled"}
	if revoked {
		rm.Reason = "tokens_revoked"
	}
	orgWide := false
	if cb != nil {
		if cb.EventTime > 0 {
			rm.At = time.Unix(int64(cb.EventTime), 0)
		}
		orgWide = slices.ContainsFunc(cb.Authorizations, func(a slack.EventAuthorization) bool { return a.IsEnterpriseInstall })
	}
	var err error
	if orgWide || outer.TeamID == "" {
		rm.Key, err = install.EnterpriseKey(outer.EnterpriseID)
	} else {
		rm.Key, err = install.TeamKey(outer.TeamID)
	}
	return rm, err == nil
}
