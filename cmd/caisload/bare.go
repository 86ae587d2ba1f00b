package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caisbot/caisbot/bot/slackbot"
	"github.com/caisbot/caisbot/dialogs"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"
)

// bare is the reference the bot is measured against: only the unavoidable
// work of /cais-next and of a button click. Everything it writes, to
// Slack or Redis, is canned once, so the reference pays no rendering and
// no decision.
type bare struct {
	rdb    redis.UniversalClient
	secret string
	prefix string
	apiURL string       // the fake Slack's Web API, for chat.postMessage
	http   *http.Client // response_url and Web API posts
	wg     sync.WaitGroup

	card     []byte // the /cais-next answer
	replace  []byte // the card posted to a click's response_url
	postTail string // the chat.postMessage form after the channel, escaped once
	progress []byte // the progress JSON a click commits
}

// newBare serves the reference; apiURL "" skips the chat.postMessage.
func newBare(rdb redis.UniversalClient, secret, prefix, apiURL string, hc *http.Client) *bare {
	msg := referenceMessage()
	b := &bare{rdb: rdb, secret: secret, prefix: prefix, apiURL: apiURL, http: hc, progress: referenceProgress()}
	b.card = encodeMessage("ephemeral", false, msg)
	b.replace = encodeMessage("", true, msg)
	b.postTail = publicLineForm()
	return b
}

// bareHTTPClient keeps idle connections: net/http's default of 2 per host
// would open a connection per post. It keeps more than cmd/caisbot's 64,
// because the reference's posts pile up more (it answers sooner), and a
// reference that pays for new connections would flatter the bot.
func bareHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost, tr.MaxIdleConns = 256, 512
	return &http.Client{Timeout: 10 * time.Second, Transport: tr}
}

// Wait returns when the posts that follow answered clicks are done.
func (b *bare) Wait() { b.wg.Wait() }

func (b *bare) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, slackbot.MaxBody))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	sv, err := slack.NewSecretsVerifier(r.Header, b.secret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form body", http.StatusBadRequest)
		return
	}
	if p := form.Get("payload"); p != "" {
		b.click(w, r, p)
		return
	}
	b.next(w, r, form)
}

// next answers /cais-next: one HMGET of the bot's own progress key, then
// the canned card.
func (b *bare) next(w http.ResponseWriter, r *http.Request, form url.Values) {
	team := form.Get("team_id")
	if team == "" {
		http.Error(w, "malformed form body", http.StatusBadRequest)
		return
	}
	if err := b.rdb.HMGet(r.Context(), b.prefix+"{"+team+"}:progress", "v", "p").Err(); err != nil {
		http.Error(w, "redis: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b.card)
}

// bareClick is what a click handler cannot do without from the payload.
type bareClick struct {
	Team        struct{ ID string } `json:"team"`
	Channel     struct{ ID string } `json:"channel"`
	ResponseURL string              `json:"response_url"`
	Actions     []struct {
		Value string `json:"value"`
	} `json:"actions"`
}

// click answers a button: decode, commit, 200 at once, then the card to
// the response_url and the public line to the channel, as the bot does.
func (b *bare) click(w http.ResponseWriter, r *http.Request, payload string) {
	var c bareClick
	if err := json.Unmarshal([]byte(payload), &c); err != nil || c.Team.ID == "" || c.ResponseURL == "" || len(c.Actions) == 0 {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	if err := b.commit(r.Context(), c.Team.ID, c.Actions[0].Value); err != nil {
		http.Error(w, "redis: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.send(c.ResponseURL, c.Channel.ID)
	}()
}

// bareCommitScript is the reference's atomic write: the bot's commit
// script less its replay and sequence checks. KEYS: progress hash, audit
// list. ARGV: version read, progress JSON, entry JSON. 0 means another
// click moved the version first (nothing written).
var bareCommitScript = redis.NewScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if cur ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'v', cur + 1, 'p', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
return 1
`)

// bareKeys are the reference's own keys, beside the bot's under the
// run's prefix (so deleted with them), never the bot's.
func (b *bare) bareKeys(team string) (progress, audit string) {
	k := b.prefix + "bare:{" + team + "}:"
	return k + "progress", k + "audit"
}

// commit reads the firm's version and progress (the bot decodes the
// progress; the reference, like its /cais-next, does not), then writes
// the next version, the canned progress and one audit entry in one
// round trip.
func (b *bare) commit(ctx context.Context, team, value string) error {
	kp, ka := b.bareKeys(team)
	vals, err := b.rdb.HMGet(ctx, kp, "v", "p").Result()
	if err != nil {
		return err
	}
	var cur int64
	if s, ok := vals[0].(string); ok {
		cur, _ = strconv.ParseInt(s, 10, 64)
	}
	entry, err := json.Marshal(newBareEntry(cur+1, value))
	if err != nil {
		return err
	}
	return bareCommitScript.Run(ctx, b.rdb, []string{kp, ka}, cur, b.progress, entry).Err()
}

// bareEntry is an audit entry shaped and sized like the bot's
// (dialogs.Entry, about 330 bytes of JSON): the chain hashes are canned.
type bareEntry struct {
	Seq     int64     `json:"seq"`
	At      time.Time `json:"at"`
	User    string    `json:"user"`
	Action  string    `json:"action"`
	Step    string    `json:"step"`
	Choice  string    `json:"choice"`
	Card    string    `json:"card"` // the clicked button's value
	Version int64     `json:"version"`
	Prev    string    `json:"prev"`
	Hash    string    `json:"hash"`
}

var cannedHash = strings.Repeat("5e1f0c2a", 8) // 64 hex digits, as a SHA-256

func newBareEntry(version int64, value string) bareEntry {
	return bareEntry{Seq: version, At: time.Now().UTC(), User: "U0BARECLICK", Action: dialogs.ActConfirm,
		Step: "obligation", Choice: "yes", Card: value, Version: version, Prev: cannedHash, Hash: cannedHash}
}

// send posts the canned replacement card to the response_url, then the
// canned public line to chat.postMessage, form-encoded as slack-go sends
// it.
func (b *bare) send(responseURL, channel string) {
	b.post(responseURL, "application/json", b.replace)
	if b.apiURL == "" || channel == "" {
		return
	}
	form := "token=xoxb-load&channel=" + url.QueryEscape(channel) + b.postTail
	b.post(b.apiURL+"chat.postMessage", "application/x-www-form-urlencoded", []byte(form))
}

// post sends one request and drains the answer, so the connection is
// reused. Failures are not the reference's concern: a lost card shows up
// as a no-card error in the generator.
func (b *bare) post(u, contentType string, body []byte) {
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := b.http.Do(req)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
}

// cannedMessage is a card's fallback text and blocks, encoded once.
type cannedMessage struct {
	text   string
	blocks []slack.Block
}

// referenceMessage is the bot's /cais-next answer for a new firm, rendered
// by the bot's own renderer. Its primary button is a real step-1 token,
// so the generator clicks it, and the click comes back to the reference.
func referenceMessage() cannedMessage {
	f := &dialogs.Flow{Roadmap: dialogs.Default(), Loc: newYork()}
	reply := f.Card(dialogs.Progress{}, time.Now())
	rd := slackbot.Renderer{Command: "/cais-next"}
	return cannedMessage{rd.Fallback(reply), rd.Blocks(reply)}
}

// encodeMessage encodes m as the bot's answer (responseType "ephemeral")
// or its response_url replacement (replace true).
func encodeMessage(responseType string, replace bool, m cannedMessage) []byte {
	b, _ := json.Marshal(struct {
		ResponseType    string        `json:"response_type,omitempty"`
		ReplaceOriginal bool          `json:"replace_original,omitempty"`
		Text            string        `json:"text"`
		Blocks          []slack.Block `json:"blocks"`
	}{responseType, replace, m.text, m.blocks})
	return append(b, '\n')
}

// publicLineForm is the text and blocks of a public progress line, as
// slack-go form-encodes them after token and channel.
func publicLineForm() string {
	text := "*<@U0BARECLICK>* confirmed *Step 1: Are you a CAT Industry Member?* — Yes. Next: *Step 2*. Type `/cais-next` to see it."
	blocks, _ := json.Marshal([]slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)})
	return "&text=" + url.QueryEscape(text) + "&blocks=" + url.QueryEscape(string(blocks))
}

// referenceProgress is a firm's progress after a full journey (8
// confirmations, two agents, a target date, a subscribed channel), about
// the 1.1 KB of JSON the bot writes.
func referenceProgress() []byte {
	at := time.Date(2025, 3, 3, 14, 30, 0, 0, time.UTC)
	p := dialogs.Progress{Version: 8, Current: "complete", Opened: 8, Seq: 8, Head: cannedHash,
		Last:     &dialogs.Change{Action: dialogs.ActConfirm, Step: "done", User: "U0BARECLICK", At: at},
		Channels: map[string]dialogs.Subscription{"C0BARECLICK": {User: "U0BARECLICK", At: at}},
		Targets:  map[string]string{"obligation": "2025-06-30"}}
	for i, s := range dialogs.Default().Steps {
		if len(p.Path) == 8 {
			break
		}
		c := dialogs.Confirmation{Step: s.ID, Choice: "yes", User: "U0BARECLICK", At: at.Add(time.Duration(i) * time.Hour)}
		if i == 3 {
			c.Agents = []string{"Example Clearing LLC", "Sample Services Bureau Inc."}
		}
		p.Path = append(p.Path, c)
	}
	b, _ := json.Marshal(p)
	return b
}

func newYork() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		return time.UTC
	}
	return loc
}
