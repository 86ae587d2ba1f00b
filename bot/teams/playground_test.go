package teams

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// playgroundJourney is real traffic: what Microsoft's Agents Playground
// sent caisbot in local mode during a hand-run journey (install, status,
// next, clicks, undo, a target date, reset, a channel subscription, the
// agents form), and what caisbot then sent the Playground's connector.
type playgroundJourney struct {
	Steps []struct {
		Capture  string          `json:"capture"`
		Activity json.RawMessage `json:"activity"`
		Expect   []sent          `json:"expect"`
	} `json:"steps"`
}

// sent is one activity caisbot sent: a new post, a reply or an update,
// known by its card's summary or its text.
type sent struct {
	Kind    string `json:"kind"`
	Summary string `json:"summary,omitempty"`
	Text    string `json:"text,omitempty"`
}

var (
	replyPath = regexp.MustCompile(`/activities/[^/]+$`)
	// stamps differ between the recording and the replay.
	stamp = regexp.MustCompile(`[A-Z][a-z]{2} \d{1,2}, \d{4} at \d{1,2}:\d{2} [AP]M [A-Z]{2,5}`)
)

// timeless replaces the moments in a sent activity's text.
func timeless(s sent) sent {
	s.Text = stamp.ReplaceAllString(s.Text, "<time>")
	return s
}

func sentOf(c call) sent {
	s := sent{Kind: "send", Summary: c.Activity.Summary}
	switch {
	case c.Method == http.MethodPut:
		s.Kind = "update"
	case replyPath.MatchString(c.Path):
		s.Kind = "reply"
	}
	if s.Summary == "" {
		s.Text = c.Activity.Text
	}
	return s
}

// The same traffic replayed today gets the same answers, in order.
func TestAgentsPlaygroundJourney(t *testing.T) {
	raw, err := os.ReadFile("testdata/playground-journey.json")
	if err != nil {
		t.Fatal(err)
	}
	var j playgroundJourney
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	r := newRig(t, func(c *Config) {
		c.AppID, c.AppPassword = "", "" // local mode, as with the Playground
		c.Service.Flow.Admins = []string{"user-id-0"}
	})
	for _, step := range j.Steps {
		// Replies go to the fake connector instead of the Playground's.
		body := bytes.ReplaceAll(step.Activity, []byte(`"http://localhost:56150/_connector"`), []byte(`"`+r.bf.URL+`"`))
		mark := len(r.bf.connectorCalls())
		resp, err := http.Post(r.srv.URL+"/api/messages", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		r.h.Wait()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s: status %d", step.Capture, resp.StatusCode)
		}
		var got []sent
		for _, c := range r.bf.connectorCalls()[mark:] {
			got = append(got, sentOf(c))
		}
		if !equalSent(got, step.Expect) {
			t.Fatalf("%s: caisbot sent\n%s\nthe Playground saw\n%s", step.Capture, show(got), show(step.Expect))
		}
	}
}

func equalSent(a, b []sent) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if timeless(a[i]) != timeless(b[i]) {
			return false
		}
	}
	return true
}

func show(s []sent) string {
	var b strings.Builder
	for _, x := range s {
		b.WriteString("  " + x.Kind + ": " + x.Summary + x.Text + "\n")
	}
	return b.String()
}
