package slackbot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/slack-go/slack"
)

// message is a reply as slack-go's blocks, the way it was encoded before
// appendMessage: the reference its bytes must equal.
type message struct {
	ResponseType    string        `json:"response_type,omitempty"`
	ReplaceOriginal bool          `json:"replace_original,omitempty"`
	Text            string        `json:"text"`
	Blocks          []slack.Block `json:"blocks,omitempty"`
}

func (h *Handler) message(r dialogs.Reply) message {
	return message{ResponseType: "ephemeral", Text: h.render.Fallback(r), Blocks: h.render.Blocks(r)}
}

func slackGoJSON(t testing.TB, rd Renderer, r dialogs.Reply, replace bool) string {
	t.Helper()
	b, err := json.Marshal(message{ResponseType: "ephemeral", ReplaceOriginal: replace, Text: rd.Fallback(r), Blocks: rd.Blocks(r)})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// journeyReplies are the cards of a walk through the roadmap by primary
// buttons (and the first button where none is primary), with the status
// and help cards along the way.
func journeyReplies(t testing.TB) []dialogs.Reply {
	t.Helper()
	f := &dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{"UADMIN"}, Loc: time.UTC}
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	p := dialogs.Progress{}
	out := []dialogs.Reply{f.Help(""), f.Help("frobnicate <!channel>")}
	card := f.Card(p, now)
	for range 40 {
		out = append(out, card, f.Status(p, now))
		if len(card.Actions) == 0 {
			break
		}
		a := card.Actions[0]
		for _, c := range card.Actions {
			if c.Style == dialogs.Primary {
				a = c
				break
			}
		}
		tok, err := dialogs.ParseToken(a.Value)
		if err != nil {
			t.Fatal(err)
		}
		res := f.Click(p, dialogs.Event{User: "UALICE", Channel: "C1", At: now, Token: tok,
			Input: "Example Clearing & Co <x>", Submitted: true, Values: map[string]string{"agents": "Example Clearing & Co"}})
		out = append(out, res.Reply)
		if res.Next == nil {
			break
		}
		p = *res.Next
		now = now.Add(time.Hour)
		card = res.Reply
	}
	return out
}

// Every card of a journey, and every notice, encodes to exactly the bytes
// slack-go's blocks encode to.
func TestMessageJSONMatchesSlackGo(t *testing.T) {
	rd := Renderer{Command: "/cais-next"}
	replies := append(journeyReplies(t), dialogs.Notice("Export failed", "Try again"), cardReply("3"), dialogs.Reply{},
		dialogs.Reply{Title: "Done", Public: "@{U1} confirmed"}, lineNotPosted(nil), adapterNotice())
	if len(replies) < 12 {
		t.Fatalf("the journey gave only %d replies", len(replies))
	}
	for i, r := range replies {
		for _, replace := range []bool{false, true} {
			got := string(rd.appendMessage(nil, r, replace))
			if want := slackGoJSON(t, rd, r, replace); got != want {
				t.Fatalf("reply %d (%q), replace %t:\n got %s\nwant %s", i, r.Title, replace, got, want)
			}
		}
	}
}

func adapterNotice() dialogs.Reply {
	return dialogs.Notice("Line\u2028break \"quoted\" \\ \x01 \xff", "tab\there\r\n<b>&amp;</b> \u2029")
}

// FuzzMessageJSON builds replies from arbitrary text, with up to 60 parts
// (past the 50-block limit) and buttons with and without confirmations.
func FuzzMessageJSON(f *testing.F) {
	f.Add("Step 1: **Are you** a member?", "Text with [a link](https://x.y) & @{UALICE}", "ctx `{cmd}`", "Yes", "c1|choose|s1|yes|3", uint8(3), uint8(0))
	f.Add("\u2028\xff\"", strings.Repeat("&<>", 1200), "", "", "", uint8(60), uint8(7))
	f.Fuzz(func(t *testing.T, title, text, ctx, label, value string, parts, buttons uint8) {
		r := dialogs.Reply{Title: title, Public: text}
		for i := range int(parts % 64) {
			switch i % 3 {
			case 0:
				r.Parts = append(r.Parts, dialogs.Part{Kind: dialogs.Text, Text: text})
			case 1:
				r.Parts = append(r.Parts, dialogs.Part{Kind: dialogs.Context, Text: ctx})
			default:
				r.Parts = append(r.Parts, dialogs.Part{Kind: dialogs.Divider})
			}
		}
		styles := []dialogs.Style{dialogs.Primary, dialogs.Plain, dialogs.Danger}
		for i := range int(buttons % 32) {
			a := dialogs.Action{Label: label, Value: value, Style: styles[i%3]}
			if i%2 == 1 {
				a.Confirm = &dialogs.Confirm{Title: title, Text: text, OK: label, Cancel: ctx}
			}
			r.Actions = append(r.Actions, a)
		}
		rd := Renderer{Command: "/c"}
		for _, replace := range []bool{false, true} {
			if got, want := string(rd.appendMessage(nil, r, replace)), slackGoJSON(t, rd, r, replace); got != want {
				t.Fatalf("replace %t:\n got %s\nwant %s", replace, got, want)
			}
		}
	})
}
