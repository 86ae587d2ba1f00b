package playground

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// slackDeadline is how long Slack waits for the bot's HTTP answer.
const slackDeadline = 3 * time.Second

// maxReplyBody bounds how much of the bot's answer is kept.
const maxReplyBody = 1 << 20

// Signature returns the X-Slack-Signature Slack sends for body at timestamp ts
// (Unix seconds, as sent in X-Slack-Request-Timestamp):
// "v0=" + hex(HMAC-SHA256(secret, "v0:"+ts+":"+body)).
func Signature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// BotError is the bot answering a request with something other than 200.
type BotError struct {
	Status int
	Body   string
}

func (e *BotError) Error() string {
	return fmt.Sprintf("the bot answered HTTP %d: %s", e.Status, strings.TrimSpace(e.Body))
}

// botReply is the bot's HTTP answer to one request.
type botReply struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
}

// deliver signs body as Slack does and hands it to the bot's events handler
// in process. name labels the line in the activity panel.
func (p *Playground) deliver(ctx context.Context, name, contentType string, body []byte) botReply {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.cfg.BaseURL+"/slack/events", bytes.NewReader(body))
	if err != nil {
		return botReply{status: http.StatusInternalServerError, body: []byte(err.Error())}
	}
	req.RequestURI = "/slack/events"
	req.RemoteAddr = "127.0.0.1:0"
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Signature(p.cfg.SigningSecret, ts, body))

	rec := &recorder{header: http.Header{}}
	start := time.Now()
	func() {
		defer func() {
			if v := recover(); v != nil {
				rec.status = http.StatusInternalServerError
				rec.body.Reset()
				fmt.Fprintf(&rec.body, "the bot's handler panicked: %v", v)
			}
		}()
		p.cfg.Events.ServeHTTP(rec, req)
	}()
	reply := botReply{status: rec.code(), header: rec.header, body: rec.body.Bytes(), took: time.Since(start)}
	p.note(LogEntry{
		Kind:   "to-bot",
		Name:   name,
		OK:     reply.status == http.StatusOK,
		Detail: fmt.Sprintf("HTTP %d in %s", reply.status, reply.took.Round(time.Millisecond)),
	})
	return reply
}

// recorder is the http.ResponseWriter the bot's handler writes its answer to.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	if room := maxReplyBody - r.body.Len(); room > 0 {
		r.body.Write(b[:min(len(b), room)])
	}
	return len(b), nil
}

func (r *recorder) Flush() {}

func (r *recorder) code() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// systemNote shows a line only the user sees, like Slackbot's notes.
func (p *Playground) systemNote(user, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.st.addMessage(&Message{
		TS:        p.st.nextTS(time.Now()),
		Channel:   p.cfg.ChannelID,
		Text:      text,
		Ephemeral: true,
		VisibleTo: user,
		System:    true,
	})
	p.st.bump()
}

// checkReply turns a non-200 answer into a note and an error, and warns
// about answers slower than Slack allows.
func (p *Playground) checkReply(user, what string, r botReply) error {
	if r.took > slackDeadline {
		p.systemNote(user, fmt.Sprintf("The bot took %.1f s to answer %s. Slack gives up after 3 s (operation_timeout).", r.took.Seconds(), what))
	}
	if r.status == http.StatusOK {
		return nil
	}
	body := strings.TrimSpace(string(r.body))
	if len(body) > 500 {
		body = body[:500] + "…"
	}
	p.systemNote(user, fmt.Sprintf("%s failed: the bot answered HTTP %d %s", what, r.status, body))
	return &BotError{Status: r.status, Body: string(r.body)}
}

func (p *Playground) userObject(u User) jsonObject {
	return jsonObject{"id": u.ID, "username": handle(u), "name": handle(u), "team_id": p.cfg.TeamID}
}

func (p *Playground) teamObject() jsonObject {
	return jsonObject{"id": p.cfg.TeamID, "domain": "playground"}
}

func (p *Playground) knownUser(id string) (User, error) {
	u, ok := p.userByID(id)
	if !ok {
		return User{}, fmt.Errorf("playground: unknown user %q", id)
	}
	return u, nil
}

// Command sends the slash command "/cais-next text" as the user, as Slack
// would, and shows the bot's answer.
func (p *Playground) Command(ctx context.Context, userID, text string) error {
	return p.SlashCommand(ctx, userID, "/cais-next", text)
}

// SlashCommand sends any slash command as the user.
func (p *Playground) SlashCommand(ctx context.Context, userID, command, text string) error {
	u, err := p.knownUser(userID)
	if err != nil {
		return err
	}
	p.mu.Lock()
	target := &responseTarget{user: u.ID, channel: p.cfg.ChannelID, created: time.Now(), follow: true}
	respID := p.st.newResponseURL(target)
	trig := p.st.newTrigger(u.ID, time.Now())
	p.mu.Unlock()

	form := url.Values{
		"token":                 {"playground-verification-token"},
		"team_id":               {p.cfg.TeamID},
		"team_domain":           {"playground"},
		"channel_id":            {p.cfg.ChannelID},
		"channel_name":          {p.cfg.ChannelName},
		"user_id":               {u.ID},
		"user_name":             {handle(u)},
		"command":               {command},
		"text":                  {text},
		"api_app_id":            {AppID},
		"is_enterprise_install": {"false"},
		"response_url":          {p.cfg.BaseURL + "/playground/response/" + respID},
		"trigger_id":            {trig},
	}
	typed := strings.TrimSpace(command + " " + text)
	r := p.deliver(ctx, typed, "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err := p.checkReply(u.ID, typed, r); err != nil {
		return err
	}
	body := bytes.TrimSpace(r.body)
	if len(body) == 0 {
		return nil
	}
	var msg responseMessage
	if body[0] != '{' || decodeJSON(body, &msg) != nil {
		// Slack shows a plain-text answer as an ephemeral message.
		msg = responseMessage{Text: string(body)}
	}
	if msg.ResponseType == "in_channel" {
		p.mu.Lock()
		p.st.addMessage(&Message{TS: p.st.nextTS(time.Now()), Channel: p.cfg.ChannelID, User: u.ID, Text: escapeText(typed)})
		p.st.bump()
		p.mu.Unlock()
	}
	if errs := p.respond(respID, msg); len(errs) > 0 {
		p.systemNote(u.ID, typed+" failed: Slack would refuse the reply: "+strings.Join(errs, "; "))
	}
	return nil
}

// PostUserMessage posts text in the channel as the user (anything typed in
// the composer that is not a slash command). The bot is not told.
func (p *Playground) PostUserMessage(userID, text string) (ts string, err error) {
	u, err := p.knownUser(userID)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(text) == "" {
		return "", fmt.Errorf("playground: empty message")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := &Message{TS: p.st.nextTS(time.Now()), Channel: p.cfg.ChannelID, User: u.ID, Text: escapeText(text)}
	p.st.addMessage(m)
	p.st.bump()
	return m.TS, nil
}

// escapeText escapes what a user types as Slack does before storing it.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
