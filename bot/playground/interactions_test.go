package playground

import (
	"context"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

func TestSlashCommandIsTheFormSlackSends(t *testing.T) {
	rig := newRig(t, demoBot())
	if err := rig.p.Command(context.Background(), "U0BOB", "deadline 4 2027-06-05"); err != nil {
		t.Fatal(err)
	}
	rig.bot.mu.Lock()
	cmd, form := rig.bot.commands[0], rig.bot.forms[0]
	rig.bot.mu.Unlock()
	want := slack.SlashCommand{
		Token: "playground-verification-token", TeamID: "T0PLAYGRND", TeamDomain: "playground",
		ChannelID: "C0PLAYGRND", ChannelName: "compliance", UserID: "U0BOB", UserName: "bob",
		Command: "/cais-next", Text: "deadline 4 2027-06-05", APIAppID: AppID,
	}
	got := cmd
	got.ResponseURL, got.TriggerID = "", ""
	if got != want {
		t.Errorf("slash command = %+v\nwant %+v", got, want)
	}
	if !strings.HasPrefix(cmd.ResponseURL, rig.p.cfg.BaseURL+"/playground/response/") || cmd.TriggerID == "" {
		t.Errorf("response_url %q, trigger_id %q", cmd.ResponseURL, cmd.TriggerID)
	}
	if len(form["is_enterprise_install"]) != 1 {
		t.Errorf("form = %v", form)
	}

	// The in_channel answer: the command line and the card, for everyone.
	msgs := rig.p.Messages()
	if len(msgs) != 2 || msgs[0].User != "U0BOB" || msgs[0].Text != "/cais-next deadline 4 2027-06-05" || msgs[1].Ephemeral || msgs[1].User != BotUserID {
		t.Fatalf("messages = %+v", msgs)
	}
	if !strings.Contains(string(msgs[1].Blocks), `"Step 1: Obligation"`) {
		t.Errorf("card = %s", msgs[1].Blocks)
	}
}

func TestSlashCommandAnswers(t *testing.T) {
	rig := newRig(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		status int
		body   any
		check  func(t *testing.T, m []Message)
	}{
		{"empty 200 shows nothing", 200, nil, func(t *testing.T, m []Message) {
			if len(m) != 0 {
				t.Errorf("messages = %+v", m)
			}
		}},
		{"ephemeral JSON for the user only", 200, map[string]any{"response_type": "ephemeral", "text": "only you"}, func(t *testing.T, m []Message) {
			if len(m) != 1 || !m[0].Ephemeral || m[0].VisibleTo != "U0ALICE" || m[0].Text != "only you" {
				t.Errorf("messages = %+v", m)
			}
		}},
		{"plain text is ephemeral", 200, "plain words", func(t *testing.T, m []Message) {
			if len(m) != 1 || !m[0].Ephemeral || m[0].Text != "plain words" {
				t.Errorf("messages = %+v", m)
			}
		}},
		{"non-200 is an error line", 500, "boom", func(t *testing.T, m []Message) {
			if len(m) != 1 || !m[0].System || !strings.Contains(m[0].Text, "HTTP 500 boom") {
				t.Errorf("messages = %+v", m)
			}
		}},
		{"invalid blocks are refused as Slack would", 200, map[string]any{"blocks": []any{map[string]any{"type": "header", "text": map[string]any{"type": "mrkdwn", "text": "x"}}}}, func(t *testing.T, m []Message) {
			if len(m) != 1 || !m[0].System || !strings.Contains(m[0].Text, "Slack would refuse") {
				t.Errorf("messages = %+v", m)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rig.p.mu.Lock()
			rig.p.st.messages = nil
			rig.p.mu.Unlock()
			rig.bot.onCommand = func(slack.SlashCommand) (int, any) { return tc.status, tc.body }
			_ = rig.p.Command(ctx, "U0ALICE", "")
			tc.check(t, rig.p.Messages())
		})
	}
}

func TestBlockActionsPayloadDecodesWithSlackGo(t *testing.T) {
	rig := newRig(t, demoBot())
	ctx := context.Background()
	if err := rig.p.Command(ctx, "U0ALICE", ""); err != nil {
		t.Fatal(err)
	}
	card := rig.p.Messages()[1]
	if err := rig.p.Command(ctx, "U0BOB", ""); err != nil { // a second Step 1 card, Bob's
		t.Fatal(err)
	}
	bobsCard := rig.p.Messages()[3]
	if err := rig.p.ClickMessage(ctx, "U0ALICE", card.TS, "step_actions", "confirm"); err != nil {
		t.Fatal(err)
	}
	cb, raw := rig.bot.lastCallback(t)
	if cb.Type != slack.InteractionTypeBlockActions || cb.User.ID != "U0ALICE" || cb.User.Name != "alice" || cb.Team.ID != "T0PLAYGRND" ||
		cb.Channel.ID != "C0PLAYGRND" || cb.Channel.Name != "compliance" || cb.APIAppID != AppID || cb.TriggerID == "" {
		t.Errorf("callback = %+v", cb)
	}
	if cb.Container.Type != "message" || cb.Container.MessageTs != card.TS || cb.Container.ChannelID != "C0PLAYGRND" || cb.Container.IsEphemeral {
		t.Errorf("container = %+v", cb.Container)
	}
	if cb.Message.Timestamp != card.TS || len(cb.Message.Blocks.BlockSet) != 4 {
		t.Errorf("message = %+v", cb.Message)
	}
	acts := cb.ActionCallback.BlockActions
	if len(acts) != 1 || acts[0].ActionID != "confirm" || acts[0].BlockID != "step_actions" || acts[0].Value != "1" ||
		acts[0].Text.Text != "Yes" || acts[0].Type != "button" || acts[0].ActionTs == "" {
		t.Errorf("actions = %+v", acts)
	}
	if a := raw["actions"].([]any)[0].(map[string]any); a["style"] != "primary" {
		t.Errorf("raw action = %v", a)
	}
	if u := raw["user"].(map[string]any); u["username"] != "alice" || u["team_id"] != "T0PLAYGRND" {
		t.Errorf("raw user = %v", u)
	}

	// The bot replaced the card through the response_url and posted progress.
	msgs := rig.p.Messages()
	if len(msgs) != 5 {
		t.Fatalf("messages = %+v", msgs)
	}
	if msgs[1].TS != card.TS || !strings.Contains(string(msgs[1].Blocks), "Step 2: Register for CAIS") {
		t.Errorf("card after click = %s", msgs[1].Blocks)
	}
	if msgs[4].Metadata == nil || msgs[4].Metadata.EventType != "cais_step_confirmed" {
		t.Errorf("progress post = %+v", msgs[4])
	}

	// Bob clicks his (now stale) Step 1 card: only Bob is told.
	if err := rig.p.ClickMessage(ctx, "U0BOB", bobsCard.TS, "", "confirm"); err != nil {
		t.Fatal(err)
	}
	msgs = rig.p.Messages()
	last := msgs[len(msgs)-1]
	if !last.Ephemeral || last.VisibleTo != "U0BOB" || !strings.Contains(last.Text, "already confirmed by U0ALICE") {
		t.Errorf("stale note = %+v", last)
	}
}

func TestClickOnEphemeralMessage(t *testing.T) {
	rig := newRig(t, nil)
	btn := slack.NewButtonBlockElement("go", "v", slack.NewTextBlockObject("plain_text", "Go", false, false))
	ts, err := rig.api.PostEphemeral("C0PLAYGRND", "U0CAROL", slack.MsgOptionBlocks(slack.NewActionBlock("b", btn)))
	if err != nil {
		t.Fatal(err)
	}
	if err := rig.p.ClickMessage(context.Background(), "U0ALICE", ts, "b", "go"); err == nil {
		t.Error("Alice clicked Carol's ephemeral message")
	}
	if err := rig.p.ClickMessage(context.Background(), "U0CAROL", ts, "b", "go"); err != nil {
		t.Fatal(err)
	}
	cb, raw := rig.bot.lastCallback(t)
	if !cb.Container.IsEphemeral || raw["message"] != nil || cb.ResponseURL == "" {
		t.Errorf("ephemeral click = %+v", cb)
	}
	if _, _, err := rig.api.PostMessage("", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("done", false)); err != nil {
		t.Fatal(err)
	}
	if m := rig.p.Messages()[0]; m.Text != "done" || !m.Ephemeral || m.VisibleTo != "U0CAROL" || len(m.Blocks) != 0 {
		t.Errorf("after replace_original: %+v", m)
	}
}

// openNote opens the demo bot's note modal for the user and returns its ID.
func openNote(t *testing.T, rig *testRig, user string) string {
	t.Helper()
	ctx := context.Background()
	if err := rig.p.Command(ctx, user, ""); err != nil {
		t.Fatal(err)
	}
	msgs := rig.p.Messages()
	if err := rig.p.ClickMessage(ctx, user, msgs[len(msgs)-1].TS, "", "note"); err != nil {
		t.Fatal(err)
	}
	modals := rig.p.Modals(user)
	if len(modals) != 1 {
		t.Fatalf("modals = %+v", modals)
	}
	return modals[0].ID
}

func TestViewSubmission(t *testing.T) {
	rig := newRig(t, demoBot())
	ctx := context.Background()
	id := openNote(t, rig, "U0ALICE")

	// Required field left empty: Slack's client refuses; the bot hears nothing.
	rig.bot.mu.Lock()
	before := len(rig.bot.callbacks)
	rig.bot.mu.Unlock()
	res, err := rig.p.Submit(ctx, "U0ALICE", id, nil)
	if err != nil || res.Closed || res.Errors["note"] == "" {
		t.Fatalf("empty submit = %+v, %v", res, err)
	}
	rig.bot.mu.Lock()
	if len(rig.bot.callbacks) != before {
		t.Error("an invalid form reached the bot")
	}
	rig.bot.mu.Unlock()

	// The bot's response_action "errors" keeps the modal open.
	res, err = rig.p.Submit(ctx, "U0ALICE", id, map[string]map[string]string{"note": {"text": "bad"}})
	if err != nil || res.Closed || !strings.Contains(res.Errors["note"], "cannot be just") {
		t.Fatalf("bad submit = %+v, %v", res, err)
	}
	if m := rig.p.Modals("U0ALICE"); len(m) != 1 || m[0].Errors["note"] == "" {
		t.Errorf("modal after errors = %+v", m)
	}
	cb, raw := rig.bot.lastCallback(t)
	if cb.Type != slack.InteractionTypeViewSubmission || cb.View.ID != id || cb.View.CallbackID != "note" || cb.View.PrivateMetadata != "step=2" ||
		cb.View.State.Values["note"]["text"].Value != "bad" || cb.View.Title.Text != "Add a note" || cb.View.Type != slack.VTModal || cb.User.ID != "U0ALICE" {
		t.Errorf("view_submission = %+v", cb)
	}
	if v := raw["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)["note"].(map[string]any)["text"].(map[string]any); v["type"] != "plain_text_input" {
		t.Errorf("state value = %v", v)
	}

	// An empty 200 closes it.
	res, err = rig.p.Submit(ctx, "U0ALICE", id, map[string]map[string]string{"note": {"text": "Registered on 1 May"}})
	if err != nil || !res.Closed {
		t.Fatalf("good submit = %+v, %v", res, err)
	}
	if m := rig.p.Modals("U0ALICE"); len(m) != 0 {
		t.Errorf("modal still open: %+v", m)
	}
	msgs := rig.p.Messages()
	if last := msgs[len(msgs)-1]; last.Text != "<@U0ALICE> noted: Registered on 1 May" {
		t.Errorf("last message = %+v", last)
	}
}

func TestViewSubmissionUpdateAndClear(t *testing.T) {
	rig := newRig(t, demoBot())
	ctx := context.Background()
	id := openNote(t, rig, "U0BOB")
	updated := noteModal()
	updated.Title = slack.NewTextBlockObject("plain_text", "Thanks", false, false)
	rig.bot.onCallback = func(slack.InteractionCallback) (int, any) {
		return 200, slack.NewUpdateViewSubmissionResponse(&updated)
	}
	res, err := rig.p.Submit(ctx, "U0BOB", id, map[string]map[string]string{"note": {"text": "x"}})
	if err != nil || res.Closed {
		t.Fatalf("update = %+v, %v", res, err)
	}
	m := rig.p.Modals("U0BOB")
	if len(m) != 1 || m[0].ID != id || !strings.Contains(string(m[0].Body), `"Thanks"`) {
		t.Fatalf("after update: %+v", m)
	}
	rig.bot.onCallback = func(slack.InteractionCallback) (int, any) { return 200, slack.NewClearViewSubmissionResponse() }
	if res, err := rig.p.Submit(ctx, "U0BOB", id, map[string]map[string]string{"note": {"text": "x"}}); err != nil || !res.Closed {
		t.Fatalf("clear = %+v, %v", res, err)
	}
	if m := rig.p.Modals("U0BOB"); len(m) != 0 {
		t.Errorf("after clear: %+v", m)
	}
}

func TestCloseModalNotifiesWhenAsked(t *testing.T) {
	rig := newRig(t, demoBot())
	id := openNote(t, rig, "U0CAROL")
	if err := rig.p.CloseModal(context.Background(), "U0CAROL", id); err != nil {
		t.Fatal(err)
	}
	if m := rig.p.Modals("U0CAROL"); len(m) != 0 {
		t.Errorf("still open: %+v", m)
	}
	if cb, _ := rig.bot.lastCallback(t); cb.Type == slack.InteractionTypeViewClosed {
		t.Error("view_closed sent without notify_on_close")
	}
}

func TestAppHomeOpened(t *testing.T) {
	rig := newRig(t, demoBot())
	if err := rig.p.OpenHome(context.Background(), "U0BOB"); err != nil {
		t.Fatal(err)
	}
	rig.bot.mu.Lock()
	ev, raw := rig.bot.events[0], rig.bot.rawEvents[0]
	rig.bot.mu.Unlock()
	if ev.Type != slackevents.CallbackEvent || ev.TeamID != "T0PLAYGRND" || ev.APIAppID != AppID {
		t.Errorf("event = %+v", ev)
	}
	home, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || home.User != "U0BOB" || home.Tab != "home" || !strings.HasPrefix(home.Channel, "D") {
		t.Errorf("inner event = %#v", ev.InnerEvent.Data)
	}
	if id, _ := raw["event_id"].(string); !strings.HasPrefix(id, "Ev") {
		t.Errorf("event_id = %v", raw["event_id"])
	}
	if _, ok := raw["event_time"].(float64); !ok {
		t.Errorf("event_time = %v", raw["event_time"])
	}
	v, ok := rig.p.Home("U0BOB")
	if !ok || !strings.Contains(string(v.Body), "Your CAIS onboarding") {
		t.Errorf("home = %+v", v)
	}
	// Opening again: unique event IDs, the published view included.
	if err := rig.p.OpenHome(context.Background(), "U0BOB"); err != nil {
		t.Fatal(err)
	}
	rig.bot.mu.Lock()
	raw2 := rig.bot.rawEvents[1]
	rig.bot.mu.Unlock()
	if raw2["event_id"] == raw["event_id"] {
		t.Error("event_id repeated")
	}
	if raw2["event"].(map[string]any)["view"] == nil {
		t.Error("no view in the second app_home_opened")
	}
}

func TestHomeButtonClick(t *testing.T) {
	rig := newRig(t, nil)
	btn := slack.NewButtonBlockElement("open_next", "", slack.NewTextBlockObject("plain_text", "Open the next step", false, false)).WithStyle(slack.StylePrimary)
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewActionBlock("home_actions", btn)}}}
	v, err := rig.api.PublishView("U0ALICE", home, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := rig.p.ClickView(context.Background(), "U0ALICE", v.ID, "home_actions", "open_next", nil); err != nil {
		t.Fatal(err)
	}
	cb, _ := rig.bot.lastCallback(t)
	if cb.Container.Type != "view" || cb.Container.ViewID != v.ID || cb.View.Type != slack.VTHomeTab || cb.TriggerID == "" {
		t.Errorf("home click = %+v", cb)
	}
	if err := rig.p.ClickView(context.Background(), "U0BOB", v.ID, "home_actions", "open_next", nil); err == nil {
		t.Error("Bob clicked Alice's Home tab")
	}
}

func TestBoundedMessages(t *testing.T) {
	rig := newRig(t, nil)
	for i := 0; i < maxMessages+20; i++ {
		if _, err := rig.p.PostUserMessage("U0ALICE", "m"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(rig.p.Messages()); n != maxMessages {
		t.Errorf("%d messages kept", n)
	}
}
