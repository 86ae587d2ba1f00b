package slackbot

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRequestVerification(t *testing.T) {
	r := newRig(t)
	body := url.Values{"team_id": {team}, "channel_id": {chanID}, "user_id": {admin}, "command": {"/cais-next"}, "text": {"announce"}}.Encode()
	tests := []struct {
		name string
		prep func(*http.Request)
		want int
	}{
		{"unsigned", func(*http.Request) {}, 401},
		{"wrong secret", func(q *http.Request) { sign(q, body, time.Now(), "not-the-secret") }, 401},
		{"six minutes old", func(q *http.Request) { sign(q, body, time.Now().Add(-6*time.Minute), secret) }, 401},
		{"from the future", func(q *http.Request) { sign(q, body, time.Now().Add(6*time.Minute), secret) }, 401},
		{"body changed after signing", func(q *http.Request) {
			sign(q, strings.Replace(body, "announce", "status", 1), time.Now(), secret)
		}, 401},
		{"signed", func(q *http.Request) { sign(q, body, time.Now(), secret) }, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := http.NewRequest(http.MethodPost, r.srv.URL, strings.NewReader(body))
			q.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			tc.prep(q)
			resp, err := http.DefaultClient.Do(q)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if want := map[int]int{401: 0, 200: 1}[tc.want]; r.audit() != want {
				t.Fatalf("audit entries %d, want %d", r.audit(), want)
			}
		})
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	r := newRig(t)
	resp := r.post("text="+strings.Repeat("a", MaxBody), "application/x-www-form-urlencoded")
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
}

func TestURLVerificationAndSSLCheck(t *testing.T) {
	r := newRig(t)
	resp := r.post(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`, "application/json")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("url_verification: %d %q", resp.StatusCode, b)
	}
	// Slack's ssl_check arrives unsigned; anything smuggled with it is dropped.
	smuggled := url.Values{"ssl_check": {"1"}, "team_id": {team}, "channel_id": {chanID}, "user_id": {admin}, "command": {"/cais-next"}, "text": {"announce"}}.Encode()
	resp, err := http.Post(r.srv.URL, "application/x-www-form-urlencoded", strings.NewReader(smuggled))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || r.audit() != 0 {
		t.Fatalf("unsigned ssl_check: status %d, audit %d; want 200 and nothing changed", resp.StatusCode, r.audit())
	}
	for _, v := range []string{"0", "true"} {
		resp, _ := http.Post(r.srv.URL, "application/x-www-form-urlencoded", strings.NewReader("ssl_check="+v))
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("unsigned ssl_check=%s: status %d, want 401", v, resp.StatusCode)
		}
	}
}

func TestMalformedPayloadsChangeNothing(t *testing.T) {
	r := newRig(t)
	for _, body := range []string{
		"payload=%7Bnot-json",
		`payload=` + url.QueryEscape(`{"type":"block_actions","team":{"id":"T0FIRM"},"channel":{"id":"C1"},"user":{"id":"U1"},"actions":[{"type":"button","block_id":"cais_actions","action_id":"cais_a","value":"c1|choose|obligation|yes|notanumber"}],"response_url":"`+r.slack.ResponseURL("bad")+`"}`),
		"nothing=here",
	} {
		resp := r.post(body, "application/x-www-form-urlencoded")
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%q: status %d", body, resp.StatusCode)
		}
	}
	r.h.Wait()
	if r.audit() != 0 {
		t.Fatal("malformed input changed state")
	}
	if c := r.slack.Calls("response_url"); len(c) != 1 || !strings.Contains(string(c[0].Body), "Nothing was changed") {
		t.Fatalf("a forged button value must be answered clearly: %v", c)
	}
}

func TestCommands(t *testing.T) {
	r := newRig(t)
	tests := []struct{ user, text, want string }{
		{"U1", "frobnicate", "Unknown command"},
		{"U1", "help", "/cais-next status"},
		{"U1", "undo", "Only admins can undo a confirmation: <@U0ADMIN>"},
		{"U1", "reset", "Only admins can reset the roadmap"},
		{admin, "undo", "Nothing to undo"},
		{"U1", "deadlines", "passed (May 31, 2024)"},
		{"U1", "history", "No entries yet"},
		{"U1", "verify", "empty"},
		{"U1", strings.Repeat("x", 300), "Unknown command: `xxxx"},
		{"U1", strings.Repeat("x", 300), "Commands are at most 200 characters; nothing was changed."},
	}
	for _, tc := range tests {
		if got := text(r.slash(tc.user, tc.text)); !strings.Contains(got, tc.want) {
			t.Errorf("/cais-next %.20s by %s: want %q in\n%s", tc.text, tc.user, tc.want, got)
		}
	}
	if r.audit() != 0 {
		t.Fatal("refused commands wrote audit entries")
	}
}

func TestUndoResetHistoryExportVerify(t *testing.T) {
	r := newRig(t)
	card := r.click(r.slash("U1", ""), "Yes", "U1")
	r.click(card, "Registration submitted", "U2")
	if got := text(r.slash(admin, "undo")); !strings.HasPrefix(header(r.slash("U1", "")), "Step 2:") || !strings.Contains(got, "Step 2") {
		t.Fatalf("undo should reopen Step 2: %s", got)
	}
	prompt := r.slash(admin, "reset")
	if b := button(t, prompt, "Reset all progress"); b.Style != "danger" || b.Confirm == nil {
		t.Fatalf("reset button must be danger with a confirmation: %+v", b)
	}
	if out := text(r.click(prompt, "Reset all progress", "U1")); !strings.Contains(out, "Only admins") {
		t.Fatalf("non-admin reset click must be refused: %s", out)
	}
	if h := header(r.click(prompt, "Reset all progress", admin)); !strings.HasPrefix(h, "Step 1:") {
		t.Fatalf("after reset: %q", h)
	}
	hist := text(r.slash("U1", "history"))
	for _, want := range []string{"#1", "confirmed Step 1", "undid", "reset the roadmap", "#4"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
	r.slash("U1", "export")
	up := r.slack.Wait(t, "upload", 1)
	csv := string(up[0].Body)
	rows := 0
	for _, l := range strings.Split(csv, "\n") {
		if len(l) > 2 && l[0] >= '1' && l[0] <= '9' && l[1] == ',' {
			rows++
		}
	}
	if !strings.Contains(csv, "seq,at_utc,at_local,user,action") || rows != 4 {
		t.Errorf("export CSV: %d rows, want 4:\n%s", rows, csv)
	}
	if got := text(r.slash("U1", "verify")); !strings.Contains(got, "All 4 entries are intact") {
		t.Fatalf("verify: %s", got)
	}
}
