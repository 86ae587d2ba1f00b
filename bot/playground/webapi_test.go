package playground

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func textBlocks(s string) slack.MsgOption {
	return slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", s, false, false), nil, nil))
}

func slackErr(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestAuthTestAndTokens(t *testing.T) {
	rig := newRig(t, nil)
	res, err := rig.api.AuthTest()
	if err != nil {
		t.Fatal(err)
	}
	if res.UserID != BotUserID || res.BotID != BotID || res.TeamID != "T0PLAYGRND" {
		t.Errorf("auth.test = %+v", res)
	}
	_, err = slack.New("xoxb-wrong", slack.OptionAPIURL(rig.p.APIURL())).AuthTest()
	if slackErr(err) != "invalid_auth" {
		t.Errorf("wrong token: %v", err)
	}
}

func TestUnknownMethod(t *testing.T) {
	rig := newRig(t, nil)
	err := rig.api.AddReaction("thumbsup", slack.NewRefToMessage("C0PLAYGRND", "1700000000.000100"))
	if slackErr(err) != "unknown_method" {
		t.Errorf("reactions.add: %v, want unknown_method", err)
	}
	log := rig.p.Log()
	if last := log[len(log)-1]; last.Name != "reactions.add" || last.OK {
		t.Errorf("log = %+v", last)
	}
}

func TestPostMessageKeepsMetadataAndHistoryReturnsIt(t *testing.T) {
	rig := newRig(t, nil)
	meta := slack.SlackMetadata{EventType: "cais_announcement", EventPayload: map[string]any{"deadline": "2027-06-05", "lead": 7}}
	ch, ts, msg, err := rig.api.PostMessageWithResponse("#compliance", slack.MsgOptionText("Deadline in 7 days", false), textBlocks("*7 days* left"), slack.MsgOptionMetadata(meta))
	if err != nil {
		t.Fatal(err)
	}
	if ch != "C0PLAYGRND" || ts == "" || msg.Text != "Deadline in 7 days" || msg.Metadata.EventType != "cais_announcement" {
		t.Errorf("postMessage = %s %s %+v", ch, ts, msg)
	}
	_, ts2, err := rig.api.PostMessage("C0PLAYGRND", slack.MsgOptionText("second", false))
	if err != nil {
		t.Fatal(err)
	}
	if !tsLess(ts, ts2) {
		t.Errorf("timestamps not increasing: %s then %s", ts, ts2)
	}
	if _, err := rig.api.PostEphemeral("C0PLAYGRND", "U0ALICE", slack.MsgOptionText("psst", false)); err != nil {
		t.Fatal(err)
	}

	h, err := rig.api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C0PLAYGRND", IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Messages) != 2 || h.Messages[0].Timestamp != ts2 || h.Messages[1].Timestamp != ts {
		t.Fatalf("history (newest first, no ephemeral) = %+v", h.Messages)
	}
	got := h.Messages[1].Metadata
	if got.EventType != "cais_announcement" || got.EventPayload["deadline"] != "2027-06-05" {
		t.Errorf("metadata = %+v", got)
	}
	if len(h.Messages[1].Blocks.BlockSet) != 1 {
		t.Errorf("blocks lost: %+v", h.Messages[1].Blocks)
	}
	h, err = rig.api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C0PLAYGRND"})
	if err != nil {
		t.Fatal(err)
	}
	if h.Messages[1].Metadata.EventType != "" {
		t.Errorf("metadata without include_all_metadata: %+v", h.Messages[1].Metadata)
	}

	// Pagination.
	h, err = rig.api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C0PLAYGRND", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !h.HasMore || len(h.Messages) != 1 || h.ResponseMetaData.NextCursor == "" {
		t.Fatalf("page 1 = %+v", h)
	}
	h, err = rig.api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C0PLAYGRND", Limit: 1, Cursor: h.ResponseMetaData.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	if h.HasMore || len(h.Messages) != 1 || h.Messages[0].Timestamp != ts {
		t.Errorf("page 2 = %+v", h)
	}
}

func TestPostMessageErrorsLikeSlack(t *testing.T) {
	rig := newRig(t, nil)
	for name, tc := range map[string]struct {
		channel string
		opts    []slack.MsgOption
		want    string
	}{
		"unknown channel": {"C0OTHER", []slack.MsgOption{slack.MsgOptionText("x", false)}, "channel_not_found"},
		"nothing to say":  {"C0PLAYGRND", nil, "no_text"},
		"empty header": {"C0PLAYGRND", []slack.MsgOption{slack.MsgOptionBlocks(
			slack.NewHeaderBlock(slack.NewTextBlockObject("plain_text", "", false, false)))}, "invalid_blocks"},
		"header too long": {"C0PLAYGRND", []slack.MsgOption{slack.MsgOptionBlocks(
			slack.NewHeaderBlock(slack.NewTextBlockObject("plain_text", strings.Repeat("x", 151), false, false)))}, "invalid_blocks"},
		"mrkdwn header": {"C0PLAYGRND", []slack.MsgOption{slack.MsgOptionBlocks(
			slack.NewHeaderBlock(slack.NewTextBlockObject("mrkdwn", "*x*", false, false)))}, "invalid_blocks"},
		"too many blocks": {"C0PLAYGRND", []slack.MsgOption{slack.MsgOptionBlocks(manyDividers(51)...)}, "invalid_blocks"},
	} {
		_, _, err := rig.api.PostMessage(tc.channel, tc.opts...)
		if got := slackErr(err); got != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	if n := len(rig.p.Messages()); n != 0 {
		t.Errorf("%d messages stored after errors", n)
	}
}

func manyDividers(n int) []slack.Block {
	out := make([]slack.Block, n)
	for i := range out {
		out[i] = slack.NewDividerBlock()
	}
	return out
}

func TestChatUpdate(t *testing.T) {
	rig := newRig(t, nil)
	_, ts, err := rig.api.PostMessage("C0PLAYGRND", slack.MsgOptionText("v1", false), textBlocks("card v1"))
	if err != nil {
		t.Fatal(err)
	}
	// Text only: the blocks stay, as in Slack.
	if _, _, _, err := rig.api.UpdateMessage("C0PLAYGRND", ts, slack.MsgOptionText("v2", false)); err != nil {
		t.Fatal(err)
	}
	m := rig.p.Messages()[0]
	if m.Text != "v2" || !strings.Contains(string(m.Blocks), "card v1") || !m.Edited {
		t.Errorf("after text update: %+v", m)
	}
	if _, _, _, err := rig.api.UpdateMessage("C0PLAYGRND", ts, textBlocks("card v3")); err != nil {
		t.Fatal(err)
	}
	if m := rig.p.Messages()[0]; !strings.Contains(string(m.Blocks), "card v3") {
		t.Errorf("after blocks update: %s", m.Blocks)
	}
	if _, _, _, err := rig.api.UpdateMessage("C0PLAYGRND", "1.000001", slack.MsgOptionText("x", false)); slackErr(err) != "message_not_found" {
		t.Errorf("unknown ts: %v", err)
	}
	ts2, err := rig.p.PostUserMessage("U0BOB", "mine")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := rig.api.UpdateMessage("C0PLAYGRND", ts2, slack.MsgOptionText("x", false)); slackErr(err) != "cant_update_message" {
		t.Errorf("user's message: %v", err)
	}
	if _, _, err := rig.api.DeleteMessage("C0PLAYGRND", ts); err != nil {
		t.Fatal(err)
	}
	if n := len(rig.p.Messages()); n != 1 {
		t.Errorf("%d messages after delete", n)
	}
}

func TestBlockIDsAreFilledInAsSlackDoes(t *testing.T) {
	rig := newRig(t, nil)
	btn := slack.NewButtonBlockElement("", "v", slack.NewTextBlockObject("plain_text", "Go", false, false))
	_, _, msg, err := rig.api.PostMessageWithResponse("C0PLAYGRND", slack.MsgOptionBlocks(slack.NewActionBlock("", btn)))
	if err != nil {
		t.Fatal(err)
	}
	ab, ok := msg.Blocks.BlockSet[0].(*slack.ActionBlock)
	if !ok || ab.BlockID == "" || ab.Elements.ElementSet[0].(*slack.ButtonBlockElement).ActionID == "" {
		t.Errorf("block = %#v", msg.Blocks.BlockSet[0])
	}
}

func TestViews(t *testing.T) {
	rig := newRig(t, nil)
	ctx := context.Background()
	// A trigger_id comes from an action; the bot cannot invent one.
	if _, err := rig.api.OpenView("123.456.abc", noteModal()); slackErr(err) != "invalid_trigger_id" {
		t.Errorf("made-up trigger: %v", err)
	}
	var trigger string
	rig.bot.onCommand = func(cmd slack.SlashCommand) (int, any) {
		trigger = cmd.TriggerID
		return 200, nil
	}
	if err := rig.p.Command(ctx, "U0CAROL", "note"); err != nil {
		t.Fatal(err)
	}
	v, err := rig.api.OpenView(trigger, noteModal())
	if err != nil {
		t.Fatal(err)
	}
	if v.ID == "" || v.Hash == "" || v.CallbackID != "note" || v.Title.Text != "Add a note" {
		t.Errorf("views.open answer = %+v", v.View)
	}
	if got := rig.p.Modals("U0CAROL"); len(got) != 1 || got[0].ID != v.ID {
		t.Errorf("Carol's modals = %+v", got)
	}
	if got := rig.p.Modals("U0ALICE"); len(got) != 0 {
		t.Errorf("Alice sees %+v", got)
	}
	upd := noteModal()
	upd.Title = slack.NewTextBlockObject("plain_text", "Updated", false, false)
	if _, err := rig.api.UpdateView(upd, "", "stale-hash", v.ID); slackErr(err) != "hash_conflict" {
		t.Errorf("stale hash: %v", err)
	}
	v2, err := rig.api.UpdateView(upd, "", v.Hash, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v2.ID != v.ID || v2.Hash == v.Hash || v2.Title.Text != "Updated" {
		t.Errorf("views.update = %+v", v2.View)
	}
	bad := noteModal()
	bad.Title = slack.NewTextBlockObject("plain_text", strings.Repeat("t", 25), false, false)
	if _, err := rig.api.UpdateView(bad, "", "", v.ID); slackErr(err) != "invalid_arguments" {
		t.Errorf("long title: %v", err)
	}

	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}
	if _, err := rig.api.PublishView("U0ALICE", home, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := rig.p.Home("U0ALICE"); !ok {
		t.Error("no Home view for Alice")
	}
	if _, ok := rig.p.Home("U0BOB"); ok {
		t.Error("Bob got Alice's Home view")
	}
	home.Blocks.BlockSet = manyDividers(101)
	if _, err := rig.api.PublishView("U0ALICE", home, ""); slackErr(err) != "invalid_arguments" {
		t.Errorf("101 blocks: %v", err)
	}
}

func TestFileUpload(t *testing.T) {
	rig := newRig(t, nil)
	csv := "time,user,action\n2027-01-01T09:00:00Z,U0ALICE,confirm step 1\n"
	f, err := rig.api.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Filename: "cais-audit.csv", FileSize: len(csv), Content: csv, Title: "CAIS audit trail",
		Channel: "C0PLAYGRND", InitialComment: "Here is the audit trail.",
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.ID == "" || f.Title != "CAIS audit trail" {
		t.Errorf("file = %+v", f)
	}
	msgs := rig.p.Messages()
	if len(msgs) != 1 || len(msgs[0].Files) != 1 || msgs[0].Text != "Here is the audit trail." {
		t.Fatalf("messages = %+v", msgs)
	}
	file := msgs[0].Files[0]
	resp, err := http.Get(file.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != csv || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || file.Filetype != "csv" {
		t.Errorf("download: %q %v %+v", body, resp.Header, file)
	}
}

func TestResponseURL(t *testing.T) {
	rig := newRig(t, nil)
	var responseURL string
	rig.bot.onCommand = func(cmd slack.SlashCommand) (int, any) {
		responseURL = cmd.ResponseURL
		return 200, map[string]any{"text": "working on it"}
	}
	if err := rig.p.Command(context.Background(), "U0ALICE", "export"); err != nil {
		t.Fatal(err)
	}
	// A follow-up, ephemeral by default, seen by Alice only.
	if _, _, err := rig.api.PostMessage("", slack.MsgOptionResponseURL(responseURL, ""), slack.MsgOptionText("done", false)); err != nil {
		t.Fatal(err)
	}
	msgs := rig.p.Messages()
	if len(msgs) != 2 || !msgs[1].Ephemeral || msgs[1].VisibleTo != "U0ALICE" || msgs[1].Text != "done" {
		t.Fatalf("messages = %+v", msgs)
	}
	// replace_original replaces the latest answer.
	if _, _, err := rig.api.PostMessage("", slack.MsgOptionReplaceOriginal(responseURL), slack.MsgOptionText("replaced", false)); err != nil {
		t.Fatal(err)
	}
	if msgs := rig.p.Messages(); len(msgs) != 2 || msgs[1].Text != "replaced" {
		t.Fatalf("after replace: %+v", msgs)
	}
	if _, _, err := rig.api.PostMessage("", slack.MsgOptionResponseURL(responseURL, slack.ResponseTypeInChannel), slack.MsgOptionText("for all", false)); err != nil {
		t.Fatal(err)
	}
	if msgs := rig.p.Messages(); msgs[2].Ephemeral || msgs[2].Text != "for all" {
		t.Errorf("in_channel: %+v", msgs[2])
	}
	if _, _, err := rig.api.PostMessage("", slack.MsgOptionDeleteOriginal(responseURL)); err != nil {
		t.Fatal(err)
	}
	if msgs := rig.p.Messages(); len(msgs) != 2 {
		t.Errorf("after delete_original: %+v", msgs)
	}
	// Slack allows five uses.
	if _, _, err := rig.api.PostMessage("", slack.MsgOptionResponseURL(responseURL, ""), slack.MsgOptionText("fifth", false)); err != nil {
		t.Fatal(err)
	}
	_, _, err := rig.api.PostMessage("", slack.MsgOptionResponseURL(responseURL, ""), slack.MsgOptionText("sixth", false))
	if err == nil {
		t.Error("a sixth use of the response_url succeeded")
	}
	_, _, err = rig.api.PostMessage("", slack.MsgOptionResponseURL(rig.p.cfg.BaseURL+"/playground/response/nope", ""), slack.MsgOptionText("x", false))
	if err == nil {
		t.Error("an unknown response_url succeeded")
	}
}
