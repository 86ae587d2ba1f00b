package playground

// users.info: the page's people, named as the page names them (the exam
// packet looks up names that old entries did not record).
func (p *Playground) usersInfo(a apiArgs) jsonObject {
	id := a.str("user")
	for _, u := range p.cfg.Users {
		if u.ID == id {
			profile := jsonObject{"display_name": u.Name, "real_name": u.Name}
			return jsonObject{"user": jsonObject{"id": u.ID, "team_id": p.cfg.TeamID, "name": handle(u), "real_name": u.Name, "profile": profile}}
		}
	}
	if id == BotUserID {
		return jsonObject{"user": jsonObject{"id": BotUserID, "team_id": p.cfg.TeamID, "name": BotName, "is_bot": true,
			"profile": jsonObject{"display_name": BotName, "real_name": BotName}}}
	}
	return fail("user_not_found")
}
