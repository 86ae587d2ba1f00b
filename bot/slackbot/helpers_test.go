package slackbot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caisbot/caisbot/bot/adapter"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/internal/slackfake"
	"github.com/caisbot/caisbot/store"
	"github.com/slack-go/slack"
)

const (
	secret = "8f742231b10e8888abcd99yyyzzz85a5"
	team   = "T0FIRM"
	chanID = "C0COMPL"
	admin  = "U0ADMIN"
)

// rig is the real handler over real (or mini) Redis and a fake Web API.
type rig struct {
	t     testing.TB
	h     *Handler
	store *store.Redis
	slack *slackfake.Server
	srv   *httptest.Server
	clock atomic.Int64
	resp  atomic.Int64
}

func newRig(t testing.TB) *rig {
	t.Helper()
	rdb, prefix := redistest.New(t)
	return newRigOn(t, store.New(rdb, prefix))
}

func newRigOn(t testing.TB, st *store.Redis) *rig {
	t.Helper()
	r := &rig{t: t, store: st, slack: slackfake.New(t)}
	r.clock.Store(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC).Unix())
	loc, _ := time.LoadLocation("America/New_York")
	svc := &dialogs.Service{
		Flow:  &dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{admin}, Loc: loc},
		Store: st,
		Now:   func() time.Time { return time.Unix(r.clock.Add(60), 0) },
	}
	api := slack.New("xoxb-test", slack.OptionAPIURL(r.slack.APIURL()))
	once, err := adapter.NewOnce(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{SigningSecret: secret, Scope: "workspace", Service: svc, API: api, Viewers: st,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Once: once})
	if err != nil {
		t.Fatal(err)
	}
	r.h = h
	r.srv = httptest.NewServer(h)
	t.Cleanup(func() { r.srv.Close(); h.Wait() })
	return r
}

// sign adds Slack's v0 signature headers for body at time ts.
func sign(req *http.Request, body string, ts time.Time, key string) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

func (r *rig) post(body, contentType string) *http.Response {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	sign(req, body, time.Now(), secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	return resp
}

// wire is a message as Slack receives it (response body or response_url).
type wire struct {
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
}

func decode(t testing.TB, b []byte) (wire, slack.Blocks) {
	t.Helper()
	var m wire
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	var bl slack.Blocks
	if len(m.Blocks) > 0 {
		if err := json.Unmarshal(m.Blocks, &bl); err != nil {
			t.Fatalf("blocks: %v", err)
		}
	}
	return m, bl
}

// slash types "/cais-next text" as user and returns the card.
func (r *rig) slash(user, text string) slack.Blocks {
	r.t.Helper()
	form := url.Values{"team_id": {team}, "channel_id": {chanID}, "user_id": {user}, "command": {"/cais-next"},
		"text": {text}, "response_url": {r.slack.ResponseURL("cmd")}, "trigger_id": {fmt.Sprintf("trig-cmd%d", r.resp.Add(1))}}
	// Slack gives each command its own trigger_id, so two alike in one
	// second are two requests, not a replay.
	resp := r.post(form.Encode(), "application/x-www-form-urlencoded")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		r.t.Fatalf("slash %q: %d %s", text, resp.StatusCode, b)
	}
	if resp.ContentLength != int64(len(b)) || len(resp.TransferEncoding) > 0 {
		r.t.Fatalf("slash %q: a card must be sent with its length (%d bytes), got Content-Length %d, %v",
			text, len(b), resp.ContentLength, resp.TransferEncoding)
	}
	_, bl := decode(r.t, b)
	return bl
}

// button finds the button labelled label.
func button(t testing.TB, bl slack.Blocks, label string) *slack.ButtonBlockElement {
	t.Helper()
	for _, b := range bl.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, e := range a.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok && btn.Text.Text == label {
					return btn
				}
			}
		}
	}
	t.Fatalf("no button %q in %s", label, text(bl))
	return nil
}

// clickPayload is the block_actions payload Slack sends for a click.
func (r *rig) clickPayload(btn *slack.ButtonBlockElement, user, respID string) string {
	p := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": team},
		"channel": map[string]any{"id": chanID}, "container": map[string]any{"type": "message", "channel_id": chanID, "is_ephemeral": true},
		"trigger_id": "trig-" + respID, "response_url": r.slack.ResponseURL(respID),
		"actions": []map[string]any{{"type": "button", "action_id": btn.ActionID, "block_id": "cais_actions", "value": btn.Value, "action_ts": "1700000000.1"}},
	}
	b, _ := json.Marshal(p)
	return url.Values{"payload": {string(b)}}.Encode()
}

// click presses a button and returns the card sent to its response_url.
func (r *rig) click(bl slack.Blocks, label, user string) slack.Blocks {
	r.t.Helper()
	id := fmt.Sprintf("click%d", r.resp.Add(1))
	resp := r.post(r.clickPayload(button(r.t, bl, label), user, id), "application/x-www-form-urlencoded")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		r.t.Fatalf("click %q: status %d", label, resp.StatusCode)
	}
	return r.responded(id)
}

// responded waits for the message posted to response_url id.
func (r *rig) responded(id string) slack.Blocks {
	r.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, c := range r.slack.Calls("response_url") {
			if strings.HasSuffix(c.Path, "/"+id) {
				_, out := decode(r.t, c.Body)
				return out
			}
		}
	}
	r.t.Fatalf("nothing posted to response_url %s", id)
	return slack.Blocks{}
}

// text flattens blocks into the words a user would read.
func text(bl slack.Blocks) string {
	var b strings.Builder
	for _, blk := range bl.BlockSet {
		switch x := blk.(type) {
		case *slack.HeaderBlock:
			b.WriteString("# " + x.Text.Text + "\n")
		case *slack.SectionBlock:
			b.WriteString(x.Text.Text + "\n")
		case *slack.ContextBlock:
			for _, e := range x.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					b.WriteString(t.Text + "\n")
				}
			}
		case *slack.ActionBlock:
			for _, e := range x.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					fmt.Fprintf(&b, "[%s|%s] ", btn.Text.Text, btn.Style)
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func header(bl slack.Blocks) string {
	for _, blk := range bl.BlockSet {
		if h, ok := blk.(*slack.HeaderBlock); ok {
			return h.Text.Text
		}
	}
	return ""
}

// slackFirm is the Slack firm whose key is key ("T1" or "T1:C1").
func slackFirm(key string) firm.ID {
	f, err := firm.Parse(firm.Slack, key)
	if err != nil {
		panic(err)
	}
	return f
}
