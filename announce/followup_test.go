package announce

import (
	"context"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
)

// press clicks the button labelled label on card as admin at when, with
// a form's values when given.
func (r *rig) press(firm, when string, card dialogs.Reply, label string, values map[string]string) dialogs.Reply {
	r.t.Helper()
	for _, a := range card.Actions {
		if a.Label != label {
			continue
		}
		ev := dialogs.Event{User: admin, Channel: "C1", At: ny(when)}
		reply, err := r.svc.Click(context.Background(), slackFirm(firm), ev, a.Value)
		if err == nil && values != nil {
			ev.Values, ev.Submitted = values, true
			reply, err = r.svc.Click(context.Background(), slackFirm(firm), ev, reply.FormToken)
		}
		if err != nil {
			r.t.Fatal(err)
		}
		return reply
	}
	r.t.Fatalf("no button %q", label)
	return dialogs.Reply{}
}

func TestFollowUpPostedOnceOnItsDay(t *testing.T) {
	tests := []struct {
		name  string
		after func(r *rig, card dialogs.Reply) // done on 2027-06-01
		want  int
	}{
		{"wait stands", func(*rig, dialogs.Reply) {}, 1},
		{"wait cleared", func(r *rig, card dialogs.Reply) { r.press("T1", "2027-06-01 10:00", card, "Clear wait", nil) }, 0},
		{"step confirmed", func(r *rig, card dialogs.Reply) { r.press("T1", "2027-06-01 10:00", card, "Yes", nil) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.firm("T1", "2027-05-20 12:00", "", "C1")
			card := r.cmd("T1", "C1", "2027-05-20 12:00", "")
			card = r.press("T1", "2027-05-20 12:01", card, "Waiting on someone…", map[string]string{
				dialogs.WaitWho: "Example Clearing LLC", dialogs.WaitRef: "T-42", dialogs.WaitFollowUp: "2027-06-05"})
			tt.after(r, card)
			s := r.scheduler(r.fake)
			// No 30/14/7/1-day schedule: nothing before the day, nor before 09:00.
			for _, when := range []string{"2027-05-29 09:00", "2027-06-04 09:00", "2027-06-05 08:59"} {
				r.runOnce(s, when)
			}
			r.wantPosts(0)
			r.runOnce(s, "2027-06-05 09:00")
			r.runOnce(s, "2027-06-05 09:30")
			r.runOnce(r.scheduler(r.fake), "2027-06-05 17:00") // a fresh replica
			r.runOnce(s, "2027-06-06 09:00")
			posts := r.wantPosts(tt.want)
			if tt.want == 0 {
				return
			}
			m := posts[0].Msg
			text := m.Reply.Title + "\n" + m.Reply.Parts[0].Text + "\n" + m.Reply.Parts[1].Text
			for _, want := range []string{"waiting on Example Clearing LLC since May 20, 2027", "Step 1:", "Reference: T-42", "June 5, 2027"} {
				if !strings.Contains(text, want) {
					t.Errorf("follow-up lacks %q:\n%s", want, text)
				}
			}
			if m.Occurrence.Lead != 0 || m.Occurrence.Day != "2027-06-05" || len(m.Reply.Actions) != 1 || m.Reply.Actions[0].Label != "Open Step 1" {
				t.Errorf("occurrence %+v, actions %+v", m.Occurrence, m.Reply.Actions)
			}
		})
	}
}
