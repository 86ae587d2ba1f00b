package teams

import (
	"strings"
	"testing"
)

// Step 1's "No" asks first: in Teams a show-card whose "Go back" brings
// Step 1 back with nothing recorded, and whose OK records the answer.
func TestStep1NoAsksFirst(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	card := r.say(u, "")
	no := find(t, card.Card, "No")
	if no.Card == nil || !strings.Contains(cardString(*no.Card), "not a determination") {
		t.Fatalf("No does not ask first: %+v", no)
	}
	back := r.click(card, "Go back", u)
	if !strings.HasPrefix(title(back.Card), "Step 1:") || r.audit() != 0 {
		t.Fatalf("Go back gave %q with %d audit entries", title(back.Card), r.audit())
	}
	out := r.click(back, "Record “No”", u)
	if title(out.Card) != "Step 1 answered: the firm reports no events containing an FDID" || r.audit() != 1 {
		t.Fatalf("Record No gave %q with %d audit entries:\n%s", title(out.Card), r.audit(), cardString(out.Card))
	}
	if n := strings.Count(cardString(out.Card), "888-696-3348"); n != 1 {
		t.Errorf("the No card shows the Helpdesk %d times:\n%s", n, cardString(out.Card))
	}
}
