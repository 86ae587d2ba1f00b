package teams

import (
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

var people = People{"A1B2": {Name: "Ann <b>Lee</b> [x](https://evil.example)", TeamsID: "29:ann"}, "C3D4": {Name: "Cy"}}

func TestCardText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"**bold** and _it_", "**bold** and _it_"},
		{"type `{cmd} status`", "type **@caisbot status**"},
		{"[CAT](https://catnmsplan.com/)", "[CAT](https://catnmsplan.com/)"},
		{"by @{C3D4}", "by Cy"},
		{"by @{ZZ99}", "by ZZ99 (name unknown)"},
		{"<at>Boss</at>", "<" + zwsp + "at>Boss<" + zwsp + "/at>"},
		{"by @{A1B2}", "by Ann <" + zwsp + "b>Lee<" + zwsp + "/b> [x]" + zwsp + "(https://evil.example)"},
		{dialogs.Lit("[x](https://evil.example) @{C3D4}"), "[x]" + zwsp + "(https://evil.example) @" + zwsp + "{C3D4}"},
	}
	for _, tc := range tests {
		if got := cardText(tc.in, "@caisbot", people); got != tc.want {
			t.Errorf("cardText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestMessageText(t *testing.T) {
	got, entities := messageText("@{A1B2} confirmed **Step 1** for <firm> & co; @{C3D4} too", "@caisbot", people)
	want := "<at>Ann &lt;b&gt;Lee&lt;/b&gt; [x]" + zwsp + "(https://evil.example)</at> confirmed **Step 1** for &lt;firm&gt; &amp; co; Cy too"
	if got != want {
		t.Fatalf("messageText\n got %q\nwant %q", got, want)
	}
	// Only people with a Teams id can be mentioned; the entity's text is
	// exactly the text in the message, as Teams requires.
	if len(entities) != 1 || entities[0].Mentioned.ID != "29:ann" || !strings.Contains(got, entities[0].Text) {
		t.Fatalf("entities %+v", entities)
	}
}

func TestCommandText(t *testing.T) {
	bot := &Account{ID: botID, Name: "caisbot"}
	mention := []Entity{{Type: "mention", Text: "<at>caisbot</at>", Mentioned: &Account{ID: botID}}}
	tests := []struct {
		text     string
		entities []Entity
		want     string
	}{
		{"status", nil, "status"},
		{"<at>caisbot</at> status", mention, "status"},
		{"<at>caisbot</at>&nbsp;deadline 2 2027-01-15\n", mention, "deadline 2 2027-01-15"},
		{"<at>CAIS Bot</at> history", nil, "history"},
		{"<at>caisbot</at> undo", []Entity{{Type: "mention", Mentioned: &Account{ID: botID}}}, "undo"}, // a bot mention without text
		{"<at>Ben</at> status", []Entity{{Type: "mention", Text: "<at>Ben</at>", Mentioned: &Account{ID: "29:ben"}}}, "Ben status"},
		{"caisbot status", nil, "status"},
		{"@CaisBot help", nil, "help"},
		{"caisbotx", nil, "caisbotx"},
		{"<p>verify</p>", nil, "verify"},
		{"", nil, ""},
	}
	for _, tc := range tests {
		a := &Activity{Text: tc.text, Entities: tc.entities, Recipient: bot}
		if got := a.commandText("caisbot"); got != tc.want {
			t.Errorf("commandText(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestCanonicalUser(t *testing.T) {
	for in, want := range map[string]string{
		"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0": "0F1E2D3C4B5A69788796A5B4C3D2E1F0",
		"U0123ABC":                             "U0123ABC",
		"29:1abc":                              "29:1abc",
	} {
		if got := CanonicalUser(in); got != want {
			t.Errorf("CanonicalUser(%q) = %q, want %q", in, got, want)
		}
	}
	// The canonical form is a plain user id to dialogs, so it renders as
	// a mention rather than as literal text.
	if m := dialogs.Mention(CanonicalUser("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")); !strings.HasPrefix(m, "@{") {
		t.Fatalf("Mention = %q", m)
	}
}

func TestFirmIDs(t *testing.T) {
	long := "a:" + strings.Repeat("x", 200)
	tests := []struct {
		scope               firm.Scope
		conv, channel, want string
	}{
		{"workspace", "19:c@thread.tacv2;messageid=1", "19:c@thread.tacv2", tenantID},
		{"channel", "19:c@thread.tacv2;messageid=1", "19:c@thread.tacv2", tenantID + ":19:c@thread.tacv2"},
		{"channel", "19:c@thread.tacv2;messageid=1", "", tenantID + ":19:c@thread.tacv2"},
		{"channel", "a:1personal", "", tenantID + ":a:1personal"},
		{"channel", long, "", tenantID + ":" + firmPart(long)},
	}
	for _, tc := range tests {
		h := &Handler{cfg: Config{Scope: tc.scope}, verify: &Verifier{}}
		a := &Activity{Conversation: &Conversation{ID: tc.conv, TenantID: tenantID}, ChannelData: &ChannelData{}}
		if tc.channel != "" {
			a.ChannelData.Channel = &idName{ID: tc.channel}
		}
		got, err := h.firm(a)
		if err != nil || got != teamsFirm(tc.want) {
			t.Errorf("%s %q: firm %q %v, want %q", tc.scope, tc.conv, got, err, teamsFirm(tc.want))
		}
		if len(got.Key()) > 200 {
			t.Errorf("firm id of %d bytes: the store refuses over 200", len(got.Key()))
		}
	}
	h := &Handler{cfg: Config{Scope: "workspace"}, verify: &Verifier{}}
	if _, err := h.firm(&Activity{Conversation: &Conversation{ID: "x"}}); err == nil {
		t.Error("an authenticated activity without a tenant got a firm")
	}
}

func TestLongRepliesStayBounded(t *testing.T) {
	r := dialogs.Reply{Title: strings.Repeat("T", 500)}
	for range 200 {
		r.Parts = append(r.Parts, dialogs.Part{Text: strings.Repeat("w", 3000)})
	}
	for range 10 {
		r.Actions = append(r.Actions, dialogs.Action{Label: strings.Repeat("L", 100), Value: "v"})
	}
	c := Renderer{Command: "@caisbot"}.Card(r, nil)
	if len(c.Body) > maxElements || len(c.Actions) > maxActions || len([]rune(c.Body[0].Text)) > maxTitle || len([]rune(c.Actions[0].Title)) > maxActionLen {
		t.Fatalf("card not bounded: %d elements, %d actions", len(c.Body), len(c.Actions))
	}
}

func TestFileSplitsIntoCards(t *testing.T) {
	var b strings.Builder
	b.WriteString("seq,user\n")
	for i := range 150 {
		b.WriteString(strings.Repeat("x", 100) + ",<at>u</at>*_[`\n")
		_ = i
	}
	acts := Renderer{Command: "@caisbot"}.File(&dialogs.File{Name: "a.csv", Title: "Audit", Content: []byte(b.String())})
	if len(acts) < 3 {
		t.Fatalf("%d cards for 151 lines", len(acts))
	}
	lines := 0
	for _, a := range acts {
		for _, e := range a.Attachments[0].Content.(Card).Body {
			for _, in := range e.Inlines {
				lines++
				if in.Text != strings.Repeat("x", 100)+",<at>u</at>*_[`" && in.Text != "seq,user" {
					t.Fatalf("a CSV line changed: %q", in.Text)
				}
			}
		}
	}
	if lines != 151 {
		t.Fatalf("%d lines across cards, want 151", lines)
	}
}

func TestFillCmd(t *testing.T) {
	for _, tc := range []struct{ in, command, want string }{
		{"type `{cmd} status`", "@caisbot", "type `@caisbot status`"},
		{"type `{cmd} status`", "", "type `status`"},
		{"type `{cmd}` for the current step", "", "type `next` for the current step"},
		{"type `{cmd}` for the current step", "@caisbot", "type `@caisbot` for the current step"},
	} {
		if got := fillCmd(tc.in, tc.command); got != tc.want {
			t.Errorf("fillCmd(%q, %q) = %q, want %q", tc.in, tc.command, got, tc.want)
		}
	}
}
