package teams

import (
	"context"
	"testing"
)

// In a channel or group chat, Teams may send caisbot every message (the
// permissions it has for checking reminders); only a message that
// @mentions caisbot is a command. In a personal chat every message is.
// Teams sends an entity with every mention; only a local emulator (no
// Microsoft app configured) may not.
func TestAddressesBot(t *testing.T) {
	bot := &Account{ID: botID, Name: "caisbot"}
	toBot := Entity{Type: "mention", Text: "<at>caisbot</at>", Mentioned: &Account{ID: botID}}
	toBotNoText := Entity{Type: "mention", Mentioned: &Account{ID: botID}}
	toBen := Entity{Type: "mention", Text: "<at>Ben Ops</at>", Mentioned: &Account{ID: "29:ben"}}
	for _, tc := range []struct {
		name, kind, text string
		entities         []Entity
		teams, local     bool // addressed from Teams; from a local emulator
	}{
		{"personal chat, plain", "personal", "undo", nil, true, true},
		{"channel, plain", "channel", "undo", nil, false, false},
		{"channel, chatter", "channel", "hello team, lunch?", nil, false, false},
		{"channel, a colleague mentioned", "channel", "<at>Ben Ops</at> status", []Entity{toBen}, false, false},
		{"channel, caisbot mentioned", "channel", "<at>caisbot</at> undo", []Entity{toBot}, true, true},
		{"group chat, caisbot's entity without text", "groupChat", "<at>caisbot</at> undo", []Entity{toBotNoText}, true, true},
		{"channel, caisbot mentioned after a colleague", "channel", "<at>Ben Ops</at> <at>caisbot</at> status", []Entity{toBen, toBot}, true, true},
		{"group chat, named in text", "groupChat", "caisbot status", nil, false, true},
		{"channel, a mention without entities", "channel", "<at>CAIS Bot</at> status", nil, false, true},
		{"no conversation type (an emulator)", "", "status", nil, true, true},
	} {
		a := &Activity{Text: tc.text, Entities: tc.entities, Recipient: bot, Conversation: &Conversation{ID: "c", ConversationType: tc.kind}}
		if got := a.addressesBot("caisbot", false); got != tc.teams {
			t.Errorf("%s: from Teams, addressesBot(%q) = %v, want %v", tc.name, tc.text, got, tc.teams)
		}
		if got := a.addressesBot("caisbot", true); got != tc.local {
			t.Errorf("%s: locally, addressesBot(%q) = %v, want %v", tc.name, tc.text, got, tc.local)
		}
	}
}

// A channel message that does not @mention caisbot changes nothing, gets
// no reply and is not kept (not even who said it), whoever sends it and
// whatever it says.
func TestChannelTalkIsNotACommand(t *testing.T) {
	r := newRig(t)
	bea := person("Bea Brown")
	r.click(r.say(bea, ""), "Yes", bea)
	n, calls := r.audit(), len(r.bf.connectorCalls())
	chatty := person("Chatty Colleague")
	for _, u := range []Account{admin, chatty} {
		for _, text := range []string{"undo", "caisbot undo", "announce off", "hello team, lunch?", "<at>Ben Ops</at> reset"} {
			a := r.activity(u, typeMessage)
			a.Text = text
			a.Entities = []Entity{{Type: "clientInfo"}}
			if text[0] == '<' {
				a.Entities = append(a.Entities, Entity{Type: "mention", Text: "<at>Ben Ops</at>", Mentioned: &Account{ID: "29:ben", Name: "Ben Ops"}})
			}
			if st := r.post(a); st != 200 {
				t.Errorf("%q: status %d", text, st)
			}
		}
	}
	if r.audit() != n || len(r.bf.connectorCalls()) != calls {
		t.Errorf("talk not addressed to caisbot: audit %d → %d, %d replies", n, r.audit(), len(r.bf.connectorCalls())-calls)
	}
	if kept, err := r.dir.People(context.Background(), tenantID, []string{CanonicalUser(chatty.AADObjectID)}); err != nil || len(kept) != 0 {
		t.Errorf("someone who only talked to colleagues was kept: %v %v", kept, err)
	}
	if r.say(admin, "undo"); r.audit() != n+1 {
		t.Errorf("an @mention of caisbot is still a command: audit %d → %d", n, r.audit())
	}
}
