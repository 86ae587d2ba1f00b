package announce

import (
	"context"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// Each firm's reminders go to the poster of its own platform; a firm of a
// platform this scheduler has no poster for is left alone — not posted to
// another platform, and not unsubscribed as a channel that "does not
// exist" — so its reminders stay owed to a scheduler that can post them.
func TestEachFirmGoesToItsPlatformsPoster(t *testing.T) {
	r := newRig(t)
	teamsPoster := &fakePoster{}
	slackFirm, teamsFirm := slackFirm("T1"), firm.ID{Platform: firm.Teams, Workspace: "72f988bf-86f1-41af-91ab-2d7cd011db47"}
	other := firm.ID{Platform: "matrix", Workspace: "example.org", Channel: "!room"}
	for _, f := range []firm.ID{slackFirm, teamsFirm, other} {
		for _, c := range []string{"announce", "deadline 6 2027-06-05"} {
			if _, err := r.svc.Command(context.Background(), f, dialogs.Event{User: admin, Channel: "C1", At: ny("2027-05-20 12:00")}, dialogs.ParseCommand(c)); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := r.scheduler(r.fake, func(c *Config) { c.Posters[firm.Teams] = teamsPoster })
	r.runOnce(s, "2027-05-29 09:00")
	slackPosts, teamsPosts := r.wantPosts(1), teamsPoster.sent()
	if slackPosts[0].Msg.Occurrence.Firm != slackFirm {
		t.Errorf("the Slack poster got %v", slackPosts[0].Msg.Occurrence.Firm)
	}
	if len(teamsPosts) != 1 || teamsPosts[0].Msg.Occurrence.Firm != teamsFirm {
		t.Errorf("the Teams poster got %+v; want the Teams firm's one reminder", teamsPosts)
	}
	p, err := r.svc.Progress(context.Background(), other)
	if err != nil || len(p.Channels) != 1 {
		t.Errorf("the firm with no poster here has channels %v (%v); want its subscription kept", p.Channels, err)
	}
	if st := s.Stats(); st.Gone != 0 || st.Failed != 0 {
		t.Errorf("stats %+v; want nothing gone or failed", st)
	}
}
