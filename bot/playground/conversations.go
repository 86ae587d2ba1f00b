package playground

import "strings"

// usersConversations lists the channels a user (or the bot) is in:
// everyone is in every channel of the playground's workspace.
func (p *Playground) usersConversations(a apiArgs) jsonObject {
	if u := a.str("user"); u != "" && u != BotUserID && !p.known(u) {
		return fail("user_not_found")
	}
	chans := []jsonObject{{"id": p.cfg.ChannelID, "name": p.cfg.ChannelName, "is_channel": true, "is_member": true}}
	for _, c := range p.cfg.Channels {
		chans = append(chans, jsonObject{"id": c.ID, "name": c.Name, "is_channel": true, "is_member": true})
	}
	return jsonObject{"channels": chans, "response_metadata": jsonObject{"next_cursor": ""}}
}

// conversationsOpen opens the bot's direct message with one user: its id
// is "D" and the user's.
func (p *Playground) conversationsOpen(a apiArgs) jsonObject {
	u := a.str("users")
	if strings.Contains(u, ",") || !p.known(u) {
		return fail("user_not_found")
	}
	return jsonObject{"channel": jsonObject{"id": "D" + u, "is_im": true}}
}

// dmUser is the user whose direct message channel id is, if it is one;
// "" otherwise, so that a channel's message is never taken for a direct
// one.
func (p *Playground) dmUser(id string) (string, bool) {
	u, ok := strings.CutPrefix(id, "D")
	if !ok || !p.known(u) {
		return "", false
	}
	return u, true
}

func (p *Playground) known(user string) bool {
	for _, u := range p.cfg.Users {
		if u.ID == user {
			return true
		}
	}
	return false
}
