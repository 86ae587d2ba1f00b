package teams

import (
	"encoding/json"
	"strings"
	"testing"
)

// The validator itself must catch what it claims to.
func TestValidatorCatchesFaults(t *testing.T) {
	good := `{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlock","text":"hi","size":"Large"}],
		"actions":[{"type":"Action.Submit","title":"Go","style":"positive","data":{"cais":"x"}}]}`
	if faults := validateCard([]byte(good)); len(faults) != 0 {
		t.Fatalf("a valid card is refused: %v", faults)
	}
	tests := map[string]string{
		"version":          `{"type":"AdaptiveCard","version":"1.6","body":[]}`,
		"no version":       `{"type":"AdaptiveCard","body":[]}`,
		"element type":     `{"type":"AdaptiveCard","version":"1.5","body":[{"type":"Media","sources":[]}]}`,
		"unknown property": `{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlock","text":"x","bold":true}]}`,
		"missing text":     `{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlock"}]}`,
		"bad enum":         `{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlock","text":"x","size":"huge"}]}`,
		"action type":      `{"type":"AdaptiveCard","version":"1.5","body":[],"actions":[{"type":"Action.Http","title":"x"}]}`,
		"action style":     `{"type":"AdaptiveCard","version":"1.5","body":[],"actions":[{"type":"Action.Submit","title":"x","style":"primary"}]}`,
		"show card card":   `{"type":"AdaptiveCard","version":"1.5","body":[],"actions":[{"type":"Action.ShowCard","title":"x"}]}`,
		"nested show card": `{"type":"AdaptiveCard","version":"1.5","body":[],"actions":[{"type":"Action.ShowCard","title":"x","card":{"type":"AdaptiveCard","body":[],"actions":[{"type":"Action.ShowCard","title":"y","card":{"type":"AdaptiveCard","body":[]}}]}}]}`,
		"duplicate input":  `{"type":"AdaptiveCard","version":"1.5","body":[{"type":"Input.Text","id":"a"},{"type":"Input.Text","id":"a"}]}`,
		"msteams option":   `{"type":"AdaptiveCard","version":"1.5","body":[],"msteams":{"entities":[]}}`,
		"wrong type":       `{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlock","text":"x","wrap":"yes"}]}`,
	}
	for name, card := range tests {
		if faults := validateCard([]byte(card)); len(faults) == 0 {
			t.Errorf("%s: accepted %s", name, card)
		}
	}
}

// Every card the bot sends during both journeys and every command is
// valid Adaptive Card 1.5.
func TestEveryCardIsValid(t *testing.T) {
	r := newRig(t)
	u := person("Uma <b>One</b> [x](https://evil.example)")
	card := r.say(u, "")
	r.click(card, "Not sure", u)
	for _, label := range []string{"Yes", "Registration submitted", "Test entitlements granted", "CAT Reporting Agent"} {
		card = r.click(card, label, u)
	}
	card = r.form(r.form(card, "", u), "Acme <at>x</at>\n**Bureau**", u)
	r.click(card, "Test relationships saved", person("Late Clicker"))
	for _, cmd := range []string{"status", "history", "deadlines", "help", "export", "verify", "undo", "deadline 2 2027-01-15", "announce", "announce off", "nonsense <at>x</at>", strings.Repeat("x", 300)} {
		r.say(admin, cmd)
	}
	r.click(r.say(admin, "reset"), "Reset", admin)
	checked, files := 0, 0
	for _, c := range r.bf.connectorCalls() {
		for i, content := range attachments(t, c.Raw) {
			if faults := validateCard(content); len(faults) != 0 {
				t.Errorf("%s %s attachment %d:\n%s\n%s", c.Method, c.Path, i, strings.Join(faults, "\n"), content)
			}
			checked++
			if strings.Contains(string(content), richTextBlock) {
				files++
			}
		}
	}
	if checked < 20 || files != 1 {
		t.Fatalf("%d cards checked, %d of them files: the journey did not run", checked, files)
	}
}

// attachments returns the raw card contents of an outgoing activity.
func attachments(t *testing.T, raw []byte) []json.RawMessage {
	t.Helper()
	var a struct {
		Attachments []struct {
			ContentType string          `json:"contentType"`
			Content     json.RawMessage `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	for _, at := range a.Attachments {
		if at.ContentType != CardContentType {
			t.Errorf("attachment type %q", at.ContentType)
		}
		out = append(out, at.Content)
	}
	return out
}
