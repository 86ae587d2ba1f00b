package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/caisbot/caisbot/bot/playground"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// The bureau demo (CAIS_PLAYGROUND_DEMO with CAIS_SCOPE=channel): the
// playground starts with a few client firms, each in a channel of its
// own, so a newcomer sees the console (`/cais-next firms`, the Home tab)
// as a bureau does. Alice is the workspace's first admin, as if she had
// installed caisbot. Everything is made through the ordinary commands and
// buttons, back-dated a month, so each firm's trail verifies.

// demoFirm is one client: its channel, legal name (none: ""), the
// answers it gave, its own target for its current step (days from now;
// 0: none) and who it waits on ("": no one).
type demoFirm struct {
	channel, name, legal string
	answers              []string
	step                 string // the current step's number, for its target
	target               int
	wait                 string
}

var demoFirms = []demoFirm{
	{"C0DEMO01", "acme-securities", "Acme Securities LLC", []string{"Yes"}, "2", -5, "our clearing firm"},
	{"C0DEMO02", "birch-capital", "Birch Capital Markets Inc.", []string{"Yes", "Registration submitted"}, "3", 3, ""},
	{"C0DEMO03", "cedar-brokerage", "", nil, "1", 0, "the CAT Helpdesk"},
	{"C0DEMO04", "delta-partners", "Delta Partners LP", []string{"Yes", "Registration submitted"}, "3", -1, ""},
	{"C0DEMO05", "elm-street", "Elm Street Investments", []string{"Yes"}, "2", 20, "FINRA CAT"},
	{"C0DEMO06", "fir-financial", "Fir Financial Group", nil, "1", 0, ""},
}

const demoAdmin = "U0ALICE"

// demoChannels are the demo firms' channels, for the playground.
func demoChannels() []playground.Channel {
	out := make([]playground.Channel, len(demoFirms))
	for i, d := range demoFirms {
		out[i] = playground.Channel{ID: d.channel, Name: d.name}
	}
	return out
}

// seedDemo makes the demo firms that are not there yet.
func (a *App) seedDemo(ctx context.Context, team string) error {
	at := a.svc.Now().Add(-30 * 24 * time.Hour)
	if err := a.svc.FirstAdmin(ctx, firm.Workspace{Platform: firm.Slack, ID: team}, demoAdmin, "Alice (CCO)", at); err != nil {
		return err
	}
	for i, d := range demoFirms {
		f := firm.ID{Platform: firm.Slack, Workspace: team, Channel: d.channel}
		if p, err := a.svc.Progress(ctx, f); err != nil || p.Version > 0 {
			continue
		}
		// Each firm starts a few days after the one before, so their
		// latest changes differ.
		if err := a.seedFirm(f, d, fmt.Sprintf("%d", 104200+i*7), at.AddDate(0, 0, 4*i)); err != nil {
			return fmt.Errorf("demo firm %s: %w", d.name, err)
		}
	}
	return nil
}

// seedFirm gives one demo firm its profile, answers, target and wait.
func (a *App) seedFirm(f firm.ID, d demoFirm, crd string, at time.Time) error {
	s := demoSession{svc: a.svc, f: f, ev: dialogs.Event{User: demoAdmin, Name: "Alice (CCO)", Channel: f.Channel, At: at}}
	if d.legal != "" {
		form := s.press(s.command("profile"), "Set profile…")
		s.submit(form.FormToken, map[string]string{dialogs.ProfileName: d.legal, dialogs.ProfileCRD: crd})
	}
	for _, answer := range d.answers {
		s.press(s.command(""), answer)
	}
	if d.target != 0 {
		day := a.svc.Now().AddDate(0, 0, d.target).In(a.cfg.loc).Format(time.DateOnly)
		s.command("deadline " + d.step + " " + day)
	}
	if d.wait != "" {
		form := s.press(s.command(""), "Waiting on someone…")
		follow := a.svc.Now().AddDate(0, 0, 7).In(a.cfg.loc).Format(time.DateOnly)
		s.submit(form.FormToken, map[string]string{dialogs.WaitWho: d.wait, dialogs.WaitFollowUp: follow})
	}
	return s.err
}

// demoSession runs commands and clicks as the demo admin, a few minutes
// apart, keeping the first error.
type demoSession struct {
	svc *dialogs.Service
	f   firm.ID
	ev  dialogs.Event
	err error
}

func (s *demoSession) next() dialogs.Event {
	s.ev.At = s.ev.At.Add(7 * time.Minute)
	return s.ev
}

func (s *demoSession) command(text string) dialogs.Reply {
	if s.err != nil {
		return dialogs.Reply{}
	}
	var r dialogs.Reply
	r, s.err = s.svc.Command(context.Background(), s.f, s.next(), dialogs.ParseCommand(text))
	return r
}

func (s *demoSession) press(card dialogs.Reply, label string) dialogs.Reply {
	for _, act := range card.Actions {
		if act.Label == label && s.err == nil {
			var r dialogs.Reply
			r, s.err = s.svc.Click(context.Background(), s.f, s.next(), act.Value)
			return r
		}
	}
	if s.err == nil {
		s.err = fmt.Errorf("card %q has no button %q", card.Title, label)
	}
	return dialogs.Reply{}
}

func (s *demoSession) submit(token string, values map[string]string) {
	if s.err != nil {
		return
	}
	if token == "" {
		s.err = errors.New("no form to submit")
		return
	}
	ev := s.next()
	ev.Submitted, ev.Values = true, values
	_, s.err = s.svc.Click(context.Background(), s.f, ev, token)
}
