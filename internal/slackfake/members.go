package slackfake

// SetMember makes users.conversations list channel (with name) for user
// ("" for the bot itself).
func (s *Server) SetMember(user, channel, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.members[user] == nil {
		s.members[user] = map[string]string{}
	}
	s.members[user][channel] = name
}

// conversations answers users.conversations: every channel of user, in
// one page.
func (s *Server) conversations(user string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	chans := []map[string]any{}
	for id, name := range s.members[user] {
		chans = append(chans, map[string]any{"id": id, "name": name})
	}
	return map[string]any{"channels": chans, "response_metadata": map[string]any{"next_cursor": ""}}
}
