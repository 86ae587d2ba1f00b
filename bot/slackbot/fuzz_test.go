package slackbot

import (
	"context"
	"net/url"
	"testing"
)

// FuzzInteractionPayload feeds arbitrary interaction payloads (already past
// signature verification) to the dispatcher: it must never panic, never
// answer 5xx, and never change a firm's progress from a token it did not
// issue.
func FuzzInteractionPayload(f *testing.F) {
	for _, s := range []string{
		`{"type":"block_actions","team":{"id":"T0FIRM"},"channel":{"id":"C1"},"user":{"id":"U1"},"actions":[{"type":"button","block_id":"cais_actions","action_id":"cais_a","value":"c1|choose|obligation|yes|0"}]}`,
		`{"type":"block_actions","team":{"id":"T0FIRM"},"user":{"id":"U1"},"view":{"type":"home"},"actions":[{"type":"button","block_id":"b","action_id":"cais_a","value":"c1|open|||0"}]}`,
		`{"type":"view_submission","team":{"id":"T0FIRM"},"user":{"id":"U1"},"view":{"callback_id":"cais_form","private_metadata":"{\"t\":\"c1|choose|method|agent|3\",\"c\":\"C1\"}","state":{"values":{"agents":{"agents":{"type":"plain_text_input","value":"Acme"}}}}}}`,
		`{"type":"view_submission","view":{"callback_id":"cais_form","private_metadata":"not json"}}`,
		`{"type":"view_submission","team":{"id":"T0FIRM"},"user":{"id":"U1"},"view":{"callback_id":"cais_form","private_metadata":"{\"t\":\"c1|wait|obligation||0\",\"c\":\"C1\"}","state":{"values":{"f_who":{"f_who":{"type":"plain_text_input","value":"FINRA CAT"}},"f_follow_up":{"f_follow_up":{"type":"datepicker","selected_date":"2027-02-30"}}}}}}`,
		`{"type":"view_submission","team":{"id":"T0FIRM"},"user":{"id":"U1"},"view":{"callback_id":"cais_form","private_metadata":"{\"t\":\"c1|wait|obligation||0\",\"c\":\"C1\"}","state":{"values":{"f_":{"f_":{"type":"datepicker","selected_date":null}},"f_x":{}}}}}`,
		`{"type":"shortcut"}`, `{}`, `[]`, `null`, `{"type":"block_actions","actions":[{"type":"button"}]}`,
	} {
		f.Add(s)
	}
	r := newRig(f)
	f.Fuzz(func(t *testing.T, payload string) {
		body := []byte(url.Values{"payload": {payload}}.Encode())
		a := r.h.dispatch(context.Background(), "application/x-www-form-urlencoded", body)
		if a.status >= 500 {
			t.Fatalf("status %d for %q", a.status, payload)
		}
	})
}

// FuzzSlashCommandForm feeds arbitrary form bodies: no panic, no 5xx.
func FuzzSlashCommandForm(f *testing.F) {
	for _, s := range []string{
		"team_id=T1&channel_id=C1&user_id=U1&command=%2Fcais-next&text=status",
		"team_id=T1&channel_id=C1&user_id=U1&command=%2Fcais-next&text=deadline+6A+2027-06-05",
		"command=&text=%ff%fe", "ssl_check=1", "a=%zz", "",
	} {
		f.Add(s)
	}
	r := newRig(f)
	f.Fuzz(func(t *testing.T, body string) {
		if a := r.h.dispatch(context.Background(), "application/x-www-form-urlencoded", []byte(body)); a.status >= 500 {
			t.Fatalf("status %d for %q", a.status, body)
		}
	})
}
