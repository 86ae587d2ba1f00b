package teams

import "testing"

// The packet's file name comes from the team (and channel) name Teams
// sends; a chat without one gives none (the firm's key names it then).
func TestPlaceNamesTheTeamAndChannel(t *testing.T) {
	team := &idName{ID: "19:t", Name: "Acme Securities"}
	channel := &idName{ID: "19:c", Name: "CAIS onboarding"}
	for _, c := range []struct {
		name         string
		data         *ChannelData
		channelScope bool
		want         string
	}{
		{"team in workspace scope", &ChannelData{Team: team, Channel: channel}, false, "Acme Securities"},
		{"team and channel in channel scope", &ChannelData{Team: team, Channel: channel}, true, "Acme Securities CAIS onboarding"},
		{"channel without a name", &ChannelData{Team: team, Channel: &idName{ID: "19:c"}}, true, "Acme Securities"},
		{"personal chat", &ChannelData{Tenant: &idName{ID: "t"}}, true, ""},
		{"no channel data", nil, false, ""},
	} {
		a := &Activity{ChannelData: c.data}
		if got := a.place(c.channelScope); got != c.want {
			t.Errorf("%s: place = %q; want %q", c.name, got, c.want)
		}
	}
}
