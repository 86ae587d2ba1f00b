package teams

import (
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

func TestEvidenceLinksAreNotClickableSpoofsInTeams(t *testing.T) {
	f := &dialogs.Flow{Roadmap: dialogs.Default(), Loc: time.UTC}
	at := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	p := dialogs.Progress{Version: 1, Evidence: map[string][]dialogs.Evidence{"obligation": {{
		Ref: "<https://evil.example|Helpdesk>", Link: "https://example.com/t?a=1", Note: "[Helpdesk](https://evil.example)", User: "U1", At: at,
	}}}}
	var all []string
	for _, part := range f.Status(p, at).Parts {
		all = append(all, cardText(part.Text, "@caisbot", people))
	}
	text := strings.Join(all, "\n")
	if !strings.Contains(text, "link **https://example.com/t?a=1**") {
		t.Errorf("the link is not shown as its own text:\n%s", text)
	}
	if strings.Contains(text, "](https://evil") || strings.Contains(text, "<https://evil") {
		t.Errorf("evidence formed a link:\n%s", text)
	}
}
