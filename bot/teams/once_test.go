package teams

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
)

// postRaw posts a as it is and returns the status and response body.
func (r *rig) postRaw(a *Activity) (int, string) {
	r.t.Helper()
	b, _ := json.Marshal(a)
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/api/messages", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+channelToken(r.t, testApp, a.ServiceURL))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	r.h.Wait()
	return resp.StatusCode, string(out)
}

// targetData is the submit data of the target-date form on card p.
func (r *rig) targetData(day string) map[string]string {
	form := r.click(r.say(admin, ""), "Set target date…", admin)
	data := map[string]string{}
	for k, v := range form.Card.Actions[0].Data {
		data[k] = v
	}
	data[fieldPrefix+"date"] = day
	return data
}

// An activity the Bot Framework sends again (same id, same conversation)
// changes the record once: a typed command, a form submitted from a card
// (Action.Submit) and one submitted by Action.Execute. The re-sent one
// sends nothing more to the chat; an invoke gets the same response. The
// same thing sent as a new activity is a new change.
func TestResentActivityTakesEffectOnce(t *testing.T) {
	for _, c := range []struct {
		name  string
		build func(r *rig) *Activity
	}{
		{"typed command", func(r *rig) *Activity {
			a := r.activity(admin, typeMessage)
			a.Text = "<at>caisbot</at> deadline 3 2026-12-20"
			a.Entities = []Entity{{Type: "mention", Text: "<at>caisbot</at>", Mentioned: &Account{ID: botID, Name: "caisbot"}}}
			return a
		}},
		{"form by Action.Submit", func(r *rig) *Activity {
			data := r.targetData("2026-12-20")
			a := r.activity(admin, typeMessage)
			a.Value = mustJSON(data)
			return a
		}},
		{"form by Action.Execute", func(r *rig) *Activity {
			data := r.targetData("2026-12-20")
			a := r.activity(admin, typeInvoke)
			a.Name = "adaptiveCard/action"
			a.Value = mustJSON(map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "cais", "data": data}})
			return a
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			a := c.build(r)
			before, sent := r.audit(), len(r.bf.connectorCalls())
			st1, first := r.postRaw(a)
			sentFirst := len(r.bf.connectorCalls()) - sent
			st2, again := r.postRaw(a)
			if st1 != 200 || st2 != 200 {
				t.Fatalf("statuses %d, %d", st1, st2)
			}
			if n := r.audit() - before; n != 1 {
				t.Fatalf("%d audit entries after an activity and its re-sending, want 1", n)
			}
			if n := len(r.bf.connectorCalls()) - sent; n != sentFirst {
				t.Errorf("the re-sent activity sent %d more messages", n-sentFirst)
			}
			if again != first {
				t.Errorf("the re-sent activity was answered\n%s\nnot as the first\n%s", again, first)
			}
			b := *a
			b.ID += "-new"
			if st, _ := r.postRaw(&b); st != 200 || r.audit()-before != 2 {
				t.Fatalf("a new activity (status %d): %d entries, want 2", st, r.audit()-before)
			}
		})
	}
}

// A form submitted twice from the same card with the same input (a
// double click: two activities) is recorded once; the second sends
// nothing. Other input in the same card is a new change.
func TestFormSubmittedTwiceFromACardIsRecordedOnce(t *testing.T) {
	r := newRig(t)
	form := r.click(r.say(admin, ""), "Set target date…", admin)
	submit := func(day string) {
		data := map[string]string{}
		for k, v := range form.Card.Actions[0].Data {
			data[k] = v
		}
		data[fieldPrefix+"date"] = day
		a := r.activity(admin, typeMessage)
		a.ReplyToID, a.Value = form.ID, mustJSON(data)
		if st := r.post(a); st != http.StatusOK {
			t.Fatalf("submit: status %d", st)
		}
	}
	submit("2026-12-20")
	sent := len(r.bf.connectorCalls())
	submit("2026-12-20")
	if n := r.audit(); n != 1 {
		t.Fatalf("%d audit entries after the same form twice, want 1", n)
	}
	if n := len(r.bf.connectorCalls()) - sent; n != 0 {
		t.Errorf("the second submission sent %d messages", n)
	}
	submit("2026-12-21")
	if n := r.audit(); n != 2 {
		t.Fatalf("%d audit entries after new input, want 2", n)
	}
}

// If the delivery cannot be claimed (Redis down), a command that would
// change the record is not run and the user is told nothing was changed.
func TestUnclaimedActivityChangesNothing(t *testing.T) {
	r := newRig(t)
	dead := redistest.Down(t)
	once, err := adapter.NewOnce(store.New(dead, "x:"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.h.cfg.Once = once
	out := r.say(admin, "deadline 3 2026-12-20")
	if title(out.Card) != "Temporarily unavailable" || !strings.Contains(cardString(out.Card), "Nothing was changed") || r.audit() != 0 {
		t.Fatalf("claim failed: audit %d, reply %s", r.audit(), cardString(out.Card))
	}
}
