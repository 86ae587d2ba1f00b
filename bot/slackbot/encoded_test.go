package slackbot

import (
	"encoding/json"
	"fmt"
	"hash/maphash"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

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

// replyChanges each change one field of cardReply("3").
var replyChanges = []func(r *dialogs.Reply){
	func(r *dialogs.Reply) { r.Title += "!" },
	func(r *dialogs.Reply) { r.Public = "x" },
	func(r *dialogs.Reply) { r.Replace = true },
	func(r *dialogs.Reply) { r.FormToken = "t" },
	func(r *dialogs.Reply) { r.FormError = "e" },
	func(r *dialogs.Reply) { r.Changed = true },
	func(r *dialogs.Reply) { r.Parts = append(r.Parts[:1:1], dialogs.Part{Kind: dialogs.Context}) },
	func(r *dialogs.Reply) { r.Parts = r.Parts[:1] },
	func(r *dialogs.Reply) {
		r.Parts = append(r.Parts[:0:0], dialogs.Part{Text: r.Parts[0].Text + "."}, r.Parts[1])
	},
	func(r *dialogs.Reply) { r.Actions[0].Label = "No" },
	func(r *dialogs.Reply) { r.Actions[0].Style = dialogs.Plain },
	func(r *dialogs.Reply) { r.Actions[0].Value += "0" },
	func(r *dialogs.Reply) { r.FormField = "f" },
	func(r *dialogs.Reply) { r.FormMore = []dialogs.FieldError{{Field: "f", Message: "m"}} },
	func(r *dialogs.Reply) { r.FormMore = []dialogs.FieldError{{Field: "f", Message: "m"}, {}} },
	func(r *dialogs.Reply) { r.Actions[0].Secondary = true },
	func(r *dialogs.Reply) { r.Actions[1].Confirm.Title += "?" },
	func(r *dialogs.Reply) { r.Actions[1].Confirm.Text += "." },
	func(r *dialogs.Reply) { r.Actions[1].Confirm.OK = "Go" },
	func(r *dialogs.Reply) { r.Actions[1].Confirm.Cancel = "No" },
	func(r *dialogs.Reply) { r.Actions[1].Confirm = nil },
	func(r *dialogs.Reply) { r.Actions = r.Actions[:1] },
	func(r *dialogs.Reply) { r.Form = &dialogs.Form{} },
	func(r *dialogs.Reply) { r.File = &dialogs.File{Name: "audit.csv"} },
}

// renders counts the renderings a cache asks for.
type renders struct{ n int }

func (c *renders) render() json.RawMessage {
	c.n++
	return json.RawMessage(fmt.Sprintf(`"card %d"`, c.n))
}

// A reply that differs in any field gets its own card; an equal one gets
// the card already made; replace_original is part of the key.
func TestCardCacheKeysEveryField(t *testing.T) {
	c, n := newCardCache(), &renders{}
	first := c.get(cardReply("3"), false, n.render)
	if again := c.get(cardReply("3"), false, n.render); string(again) != string(first) || n.n != 1 {
		t.Fatalf("an equal reply must get the cached card: %s after %s, %d renderings", again, first, n.n)
	}
	if c.get(cardReply("3"), true, n.render); n.n != 2 {
		t.Fatal("a replacing card was served the plain one")
	}
	for i, change := range replyChanges {
		r := cardReply("3")
		change(&r)
		if before := n.n; string(c.get(r, false, n.render)) == string(first) || n.n != before+1 {
			t.Errorf("change %d: the cached card of another reply was served", i)
		}
	}
}

// A hash collision must render afresh, never hand out another reply's card.
func TestCardCacheChecksTheReplyOnAHit(t *testing.T) {
	c := newCardCache()
	a, okA := c.renderedFrom(nil, cardReply("3"), false)
	b, okB := c.renderedFrom(nil, cardReply("4"), false)
	if !okA || !okB {
		t.Fatal("cannot encode a reply")
	}
	c.m.Put(maphash.Bytes(c.seed, b), card{from: a, b: json.RawMessage(`"card a"`)}, cardLimit)
	if got := c.get(cardReply("4"), false, func() json.RawMessage { return json.RawMessage(`"card b"`) }); string(got) != `"card b"` {
		t.Fatalf("a colliding entry for another reply was served: %s", got)
	}
}

// futureReply is a reply with a field dialogs.Reply does not have (yet):
// it renders differently (here: the badge is the card), and the cache
// must tell replies apart by it with no change to the cache.
type futureReply struct {
	dialogs.Reply
	Badge string
}

func TestCardCacheKeysAFieldAddedLater(t *testing.T) {
	c := newCards[futureReply]()
	render := func(r futureReply) func() json.RawMessage {
		return func() json.RawMessage { return json.RawMessage(strconv.Quote(r.Badge)) }
	}
	for _, r := range []futureReply{{cardReply("3"), "new"}, {cardReply("3"), "overdue"}, {cardReply("3"), "new"}} {
		if got := c.get(r, false, render(r)); string(got) != strconv.Quote(r.Badge) {
			t.Fatalf("badge %q: got card %s", r.Badge, got)
		}
	}
}

// appendReplyKey is written out field by field: when a field is added to
// what a card is made of, this fails until the key encodes it (and
// replyChanges changes it).
func TestReplyKeyKnowsEveryField(t *testing.T) {
	known := map[reflect.Type]string{
		reflect.TypeFor[dialogs.Reply]():      "Title Parts Actions Public Replace Form FormToken FormError FormField FormMore File Changed",
		reflect.TypeFor[dialogs.Part]():       "Kind Text",
		reflect.TypeFor[dialogs.Action]():     "Label Style Value Confirm Secondary",
		reflect.TypeFor[dialogs.Confirm]():    "Title Text OK Cancel",
		reflect.TypeFor[dialogs.FieldError](): "Field Message",
	}
	for typ, want := range known {
		var got []string
		for f := range typ.Fields() {
			got = append(got, f.Name)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%v has fields %v; appendReplyKey encodes %s", typ, got, want)
		}
	}
}

// BenchmarkCard compares the roadmap's first card served from the cache
// with the same card rendered and encoded afresh, which is what the
// cache saves.
func BenchmarkCard(b *testing.B) {
	h := &Handler{render: Renderer{Command: "/cais-next"}, cards: newCardCache()}
	f := &dialogs.Flow{Roadmap: dialogs.Default(), Loc: time.UTC}
	r := f.Card(dialogs.Progress{Version: 1}, time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC))
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			h.card(r)
		}
	})
	b.Run("rendered", func(b *testing.B) {
		for b.Loop() {
			h.encode(r, false)
		}
	})
}
