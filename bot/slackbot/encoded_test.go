package slackbot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
)

func cardReply(version string) dialogs.Reply {
	return dialogs.Reply{
		Title: "Step 1: Does the firm have to report?",
		Parts: []dialogs.Part{{Kind: dialogs.Text, Text: "**Bold** and <@U1>"}, {Kind: dialogs.Divider}},
		Actions: []dialogs.Action{
			{Label: "Yes", Style: dialogs.Primary, Value: "c1|choose|s1|yes|" + version},
			{Label: "Reset", Style: dialogs.Danger, Value: "c1|reset|s1||" + version, Confirm: &dialogs.Confirm{Title: "Sure?", Text: "All of it", OK: "Reset", Cancel: "Keep"}},
		},
	}
}

// The cached bytes are exactly what rendering the reply gives, for every
// reply, however often it is asked for.
func TestEncodedMatchesRendering(t *testing.T) {
	h := &Handler{render: Renderer{Command: "/cais-next"}, cards: newCardCache()}
	replies := []struct {
		name    string
		r       dialogs.Reply
		replace bool
	}{
		{"card v3", cardReply("3"), false},
		{"card v4", cardReply("4"), false},
		{"card v3 replacing", cardReply("3"), true},
		{"notice", dialogs.Notice("Export failed", "Try again"), false},
		{"public", dialogs.Reply{Title: "Done", Public: "@{U1} confirmed"}, true},
	}
	for range 3 {
		for _, c := range replies {
			got := h.encode(c.r, c.replace)
			if !c.replace {
				got = h.card(c.r)
			}
			m := h.message(c.r)
			m.ReplaceOriginal = c.replace
			want, _ := json.Marshal(m)
			if string(got) != string(want) {
				t.Fatalf("%s: encoded\n%s\nwant\n%s", c.name, got, want)
			}
		}
	}
	if v3, v4 := string(h.card(cardReply("3"))), string(h.card(cardReply("4"))); !strings.Contains(v3, "|3\"") || !strings.Contains(v4, "|4\"") {
		t.Fatalf("each card must carry its own version in its buttons:\n%s\n%s", v3, v4)
	}
}

// A hash collision must render afresh, never hand out another reply's card.
func TestCardCacheChecksTheReplyOnAHit(t *testing.T) {
	c := newCardCache()
	a, b := cardReply("3"), cardReply("4")
	c.m = map[uint64]cardEntry{c.hash(b, false): {r: a, b: json.RawMessage(`"card a"`)}}
	got := c.get(b, false, func() json.RawMessage { return json.RawMessage(`"card b"`) })
	if string(got) != `"card b"` {
		t.Fatalf("a colliding entry for another reply was served: %s", got)
	}
	if got := c.get(b, true, func() json.RawMessage { return json.RawMessage(`"card b replacing"`) }); string(got) != `"card b replacing"` {
		t.Fatalf("replace_original must be part of the key, got %s", got)
	}
}

func TestSameReply(t *testing.T) {
	base := cardReply("3")
	change := []func(r *dialogs.Reply){
		func(r *dialogs.Reply) { r.Title += "!" },
		func(r *dialogs.Reply) { r.Public = "x" },
		func(r *dialogs.Reply) { r.Replace = true },
		func(r *dialogs.Reply) { r.FormToken = "t" },
		func(r *dialogs.Reply) { r.FormError = "e" },
		func(r *dialogs.Reply) { r.Parts = append(r.Parts[:1:1], dialogs.Part{Kind: dialogs.Context}) },
		func(r *dialogs.Reply) { r.Parts = r.Parts[:1] },
		func(r *dialogs.Reply) {
			r.Actions = append([]dialogs.Action{}, r.Actions...)
			r.Actions[0].Label = "No"
		},
		func(r *dialogs.Reply) {
			r.Actions = append([]dialogs.Action{}, r.Actions...)
			r.Actions[0].Style = dialogs.Plain
		},
		func(r *dialogs.Reply) {
			r.Actions = append([]dialogs.Action{}, r.Actions...)
			r.Actions[1].Confirm = &dialogs.Confirm{Title: "Sure?", Text: "All of it", OK: "Reset", Cancel: "No"}
		},
		func(r *dialogs.Reply) {
			r.Actions = append([]dialogs.Action{}, r.Actions...)
			r.Actions[1].Confirm = nil
		},
		func(r *dialogs.Reply) { r.Form = &dialogs.Form{} },
	}
	if !sameReply(base, cardReply("3")) {
		t.Fatal("equal replies must compare equal")
	}
	for i, f := range change {
		r := cardReply("3")
		f(&r)
		if sameReply(base, r) || sameReply(r, base) {
			t.Errorf("change %d: replies compare equal", i)
		}
	}
}
