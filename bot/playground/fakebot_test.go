package playground

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// fakeBot is a stand-in for the bot's POST /slack/events handler: it
// verifies every request with slack-go, decodes it with slack-go, records it
// and answers through the handlers set on it (nil: 200, empty body).
type fakeBot struct {
	secret string
	api    *slack.Client // the bot's Web API client, pointed at the emulator

	onCommand  func(slack.SlashCommand) (int, any)
	onCallback func(slack.InteractionCallback) (int, any)
	onEvent    func(slackevents.EventsAPIEvent) int

	mu        sync.Mutex
	commands  []slack.SlashCommand
	forms     []map[string][]string
	callbacks []slack.InteractionCallback
	payloads  []map[string]any
	events    []slackevents.EventsAPIEvent
	rawEvents []map[string]any
	refused   int
}

func (b *fakeBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sv, err := slack.NewSecretsVerifier(r.Header, b.secret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		b.mu.Lock()
		b.refused++
		b.mu.Unlock()
		http.Error(w, "signature: "+err.Error(), http.StatusUnauthorized)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var raw map[string]any
		_ = json.Unmarshal(body, &raw)
		b.mu.Lock()
		b.events = append(b.events, ev)
		b.rawEvents = append(b.rawEvents, raw)
		b.mu.Unlock()
		status := http.StatusOK
		if b.onEvent != nil {
			status = b.onEvent(ev)
		}
		w.WriteHeader(status)
		return
	}

	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if p := r.PostForm.Get("payload"); p != "" {
		var cb slack.InteractionCallback
		if err := json.Unmarshal([]byte(p), &cb); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var raw map[string]any
		_ = json.Unmarshal([]byte(p), &raw)
		b.mu.Lock()
		b.callbacks = append(b.callbacks, cb)
		b.payloads = append(b.payloads, raw)
		b.mu.Unlock()
		if b.onCallback != nil {
			status, body := b.onCallback(cb)
			reply(w, status, body)
		}
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.PostForm, r.Form = nil, nil
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	b.commands = append(b.commands, cmd)
	b.forms = append(b.forms, r.PostForm)
	b.mu.Unlock()
	if b.onCommand != nil {
		status, body := b.onCommand(cmd)
		reply(w, status, body)
	}
}

func reply(w http.ResponseWriter, status int, body any) {
	switch v := body.(type) {
	case nil:
		w.WriteHeader(status)
	case string:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, v)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
}

func (b *fakeBot) lastCallback(t testing.TB) (slack.InteractionCallback, map[string]any) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.callbacks) == 0 {
		t.Fatal("the bot got no interaction payload")
	}
	return b.callbacks[len(b.callbacks)-1], b.payloads[len(b.payloads)-1]
}

// testRig is a playground and a fake bot on one loopback server, wired as
// cmd/caisbot wires them.
type testRig struct {
	p   *Playground
	bot *fakeBot
	srv *httptest.Server
	api *slack.Client
}

func newRig(t testing.TB, bot *fakeBot) *testRig {
	t.Helper()
	if bot == nil {
		bot = &fakeBot{}
	}
	bot.secret = testSecret
	srv := httptest.NewUnstartedServer(nil)
	p, err := New(Config{SigningSecret: testSecret, Events: bot, BaseURL: "http://" + srv.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /slack/events", bot)
	mux.Handle("/", p.Handler())
	mux.Handle("/playground/", p.Handler())
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(func() {
		p.Close()
		srv.Close()
	})
	bot.api = slack.New(Token, slack.OptionAPIURL(p.APIURL()))
	return &testRig{p: p, bot: bot, srv: srv, api: bot.api}
}

// demoBot is a tiny version of caisbot's flow, used by the browser test:
// /cais-next shows a step card; "Yes" confirms it (card replaced through the
// response_url, a public progress post through chat.postMessage); "Add a
// note" opens a modal; the Home tab shows the progress.
func demoBot() *fakeBot {
	b := &fakeBot{}
	var mu sync.Mutex
	step := 1
	by := ""
	b.onCommand = func(cmd slack.SlashCommand) (int, any) {
		mu.Lock()
		defer mu.Unlock()
		return 200, map[string]any{"response_type": "in_channel", "blocks": stepCard(step, by)}
	}
	b.onCallback = func(cb slack.InteractionCallback) (int, any) {
		switch cb.Type {
		case slack.InteractionTypeBlockActions:
			act := cb.ActionCallback.BlockActions[0]
			switch act.ActionID {
			case "confirm":
				mu.Lock()
				if act.Value != fmt.Sprint(step) { // stale card
					mu.Unlock()
					_, _ = b.api.PostEphemeral(cb.Channel.ID, cb.User.ID, slack.MsgOptionText(fmt.Sprintf("Step %s was already confirmed by %s.", act.Value, by), false))
					return 200, nil
				}
				done := step
				step++
				by = cb.User.ID
				blocks := stepCard(step, by)
				mu.Unlock()
				if _, _, err := b.api.PostMessage(cb.Channel.ID, slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionBlocks(blocks...)); err != nil {
					return 500, "response_url: " + err.Error()
				}
				if _, _, err := b.api.PostMessage(cb.Channel.ID, slack.MsgOptionText(fmt.Sprintf(":white_check_mark: <@%s> confirmed *Step %d*.", cb.User.ID, done), false),
					slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "cais_step_confirmed", EventPayload: map[string]any{"step": done}})); err != nil {
					return 500, "chat.postMessage: " + err.Error()
				}
			case "note":
				if _, err := b.api.OpenView(cb.TriggerID, noteModal()); err != nil {
					return 500, "views.open: " + err.Error()
				}
			}
			return 200, nil
		case slack.InteractionTypeViewSubmission:
			v := cb.View.State.Values["note"]["text"].Value
			if strings.TrimSpace(v) == "bad" {
				return 200, map[string]any{"response_action": "errors", "errors": map[string]string{"note": "A note cannot be just \"bad\"."}}
			}
			if _, _, err := b.api.PostMessage("C0PLAYGRND", slack.MsgOptionText(fmt.Sprintf("<@%s> noted: %s", cb.User.ID, v), false)); err != nil {
				return 500, err.Error()
			}
			return 200, nil
		}
		return 200, nil
	}
	b.onEvent = func(ev slackevents.EventsAPIEvent) int {
		if home, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok {
			mu.Lock()
			s := step
			mu.Unlock()
			view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
				slack.NewHeaderBlock(slack.NewTextBlockObject("plain_text", "Your CAIS onboarding", false, false)),
				slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", fmt.Sprintf("Next: *Step %d*", s), false, false), nil, nil),
			}}}
			if _, err := b.api.PublishView(home.User, view, ""); err != nil {
				return 500
			}
		}
		return 200
	}
	return b
}

var stepTitles = []string{"", "Obligation", "Register for CAIS", "Test entitlements", "Reporting method"}

func stepCard(step int, by string) []slack.Block {
	title := fmt.Sprintf("Step %d: %s", step, stepTitles[min(step, len(stepTitles)-1)])
	confirm := slack.NewButtonBlockElement("confirm", fmt.Sprint(step), slack.NewTextBlockObject("plain_text", "Yes", false, false)).WithStyle(slack.StylePrimary)
	if step >= 2 {
		confirm = slack.NewButtonBlockElement("confirm", fmt.Sprint(step), slack.NewTextBlockObject("plain_text", "Confirm registered", false, false)).
			WithStyle(slack.StylePrimary).
			WithConfirm(slack.NewConfirmationBlockObject(
				slack.NewTextBlockObject("plain_text", "Confirm Step 2?", false, false),
				slack.NewTextBlockObject("mrkdwn", "Everyone in the channel will see *you* confirmed it.", false, false),
				slack.NewTextBlockObject("plain_text", "Confirm", false, false),
				slack.NewTextBlockObject("plain_text", "Not yet", false, false)))
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject("plain_text", title, false, false)),
		slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn",
			"Does the firm report *equities* or _options_ events that carry an `FDID`?\n• New Order, Trade, Allocation\n• See <https://www.catnmsplan.com/cais|the CAIS guide> &amp; ask <!channel>\nEscaped: &lt;img src=x onerror=alert(1)&gt; <javascript:alert(1)|not a link>", false, false), nil, nil),
		slack.NewDividerBlock(),
		slack.NewActionBlock("step_actions", confirm,
			slack.NewButtonBlockElement("note", "note", slack.NewTextBlockObject("plain_text", "Add a note", false, false)),
			slack.NewButtonBlockElement("reset", "reset", slack.NewTextBlockObject("plain_text", "Reset", false, false)).WithStyle(slack.StyleDanger)),
	}
	if by != "" {
		blocks = append(blocks, slack.NewContextBlock("by", slack.NewTextBlockObject("mrkdwn", fmt.Sprintf("Last confirmed by <@%s> · CAT Helpdesk 888-696-3348", by), false, false)))
	}
	return blocks
}

func noteModal() slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject("plain_text", "What happened?", false, false), "text")
	input.Multiline = true
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: "note",
		Title:      slack.NewTextBlockObject("plain_text", "Add a note", false, false),
		Submit:     slack.NewTextBlockObject("plain_text", "Save", false, false),
		Close:      slack.NewTextBlockObject("plain_text", "Cancel", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("note", slack.NewTextBlockObject("plain_text", "Note", false, false),
				slack.NewTextBlockObject("plain_text", "Goes into the audit trail.", false, false), input),
		}},
		PrivateMetadata: "step=2",
	}
}
