package teams

import (
	"testing"
)

// In a channel or group chat, Teams may send caisbot every message (the
// permissions it has for checking reminders); only a message that
// @mentions caisbot is a command. In a personal chat every message is.
func TestAddressesBot(t *testing.T) {
	bot := &Account{ID: botID, Name: "caisbot"}
	toBot := Entity{Type: "mention", Text: "<at>caisbot</at>", Mentioned: &Account{ID: botID}}
	toBen := Entity{Type: "mention", Text: "<at>Ben Ops</at>", Mentioned: &Account{ID: "29:ben"}}
	for _, tc := range []struct {
		name, kind, text string
		entities         []Entity
		want             bool
	}{
		{"personal chat, plain", "personal", "undo", nil, true},
		{"channel, plain", "channel", "undo", nil, false},
		{"channel, chatter", "channel", "hello team, lunch?", nil, false},
		{"channel, a colleague mentioned", "channel", "<at>Ben Ops</at> status", []Entity{toBen}, false},
		{"channel, caisbot mentioned", "channel", "<at>caisbot</at> undo", []Entity{toBot}, true},
		{"channel, caisbot mentioned after a colleague", "channel", "<at>Ben Ops</at> <at>caisbot</at> status", []Entity{toBen, toBot}, true},
		{"group chat, plain", "groupChat", "deadline 2 2027-01-15", nil, false},
		{"group chat, named in text", "groupChat", "caisbot status", nil, true},
		{"channel, a mention without entities (an emulator)", "channel", "<at>CAIS Bot</at> status", nil, true},
		{"no conversation type (an emulator)", "", "status", nil, true},
	} {
		a := &Activity{Text: tc.text, Entities: tc.entities, Recipient: bot, Conversation: &Conversation{ID: "c", ConversationType: tc.kind}}
		if got := a.addressesBot("caisbot"); got != tc.want {
			t.Errorf("%s: addressesBot(%q) = %v, want %v", tc.name, tc.text, got, tc.want)
		}
	}
}

// A channel message that does not @mention caisbot changes nothing and
// gets no reply, whoever sends it and whatever it says.
func TestChannelTalkIsNotACommand(t *testing.T) {
	r := newRig(t)
	bea := person("Bea Brown")
	r.click(r.say(bea, ""), "Yes", bea)
	n, calls := r.audit(), len(r.bf.connectorCalls())
	for _, text := range []string{"undo", "announce off", "hello team, lunch?", "<at>Ben Ops</at> reset"} {
		a := r.activity(admin, typeMessage)
		a.Text = text
		if text[0] == '<' {
			a.Entities = []Entity{{Type: "mention", Text: "<at>Ben Ops</at>", Mentioned: &Account{ID: "29:ben", Name: "Ben Ops"}}}
		}
		if st := r.post(a); st != 200 {
			t.Errorf("%q: status %d", text, st)
		}
	}
	if r.audit() != n || len(r.bf.connectorCalls()) != calls {
		t.Errorf("talk not addressed to caisbot: audit %d → %d, %d replies", n, r.audit(), len(r.bf.connectorCalls())-calls)
	}
	if r.say(admin, "undo"); r.audit() != n+1 {
		t.Errorf("an @mention of caisbot is still a command: audit %d → %d", n, r.audit())
	}
}
