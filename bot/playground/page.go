package playground

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (p *Playground) handlePage(w http.ResponseWriter, r *http.Request) {
	page, err := assets.ReadFile("assets/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pageCSP)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(page)
}

func (p *Playground) staticHandler() http.Handler {
	sub, _ := fs.Sub(assets, "assets")
	files := http.StripPrefix("/playground/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// snapshot is everything the page shows; it filters per user itself.
type snapshot struct {
	Version  uint64             `json:"version"`
	TeamID   string             `json:"team_id"`
	Channel  jsonObject         `json:"channel"`
	Users    []jsonObject       `json:"users"`
	Bot      jsonObject         `json:"bot"`
	Messages []*Message         `json:"messages"`
	Modals   map[string][]*View `json:"modals"`
	Homes    map[string]*View   `json:"homes"`
	Log      []LogEntry         `json:"log"`
}

func (p *Playground) handleState(w http.ResponseWriter, r *http.Request) {
	users := make([]jsonObject, len(p.cfg.Users))
	for i, u := range p.cfg.Users {
		users[i] = jsonObject{"id": u.ID, "name": u.Name, "handle": handle(u)}
	}
	p.mu.Lock()
	snap := snapshot{
		Version:  p.st.version,
		TeamID:   p.cfg.TeamID,
		Channel:  jsonObject{"id": p.cfg.ChannelID, "name": p.cfg.ChannelName},
		Users:    users,
		Bot:      jsonObject{"id": BotUserID, "bot_id": BotID, "name": BotName},
		Messages: p.st.messages,
		Modals:   p.st.modals,
		Homes:    p.st.homes,
		Log:      p.st.log,
	}
	if snap.Messages == nil {
		snap.Messages = []*Message{}
	}
	body, err := json.Marshal(snap) // under the lock: it reads shared state
	p.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// handleStream is a Server-Sent Events stream: one "version" event per
// change; the page then fetches /playground/state. A ping every 15 s keeps
// it alive; EventSource reconnects by itself.
func (p *Playground) handleStream(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a long-lived stream outlives any server WriteTimeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	sent := uint64(0)
	first := true
	for {
		p.mu.Lock()
		version, changed := p.st.version, p.st.changed
		p.mu.Unlock()
		if first || version != sent {
			if _, err := fmt.Fprintf(w, "retry: 1000\nevent: version\ndata: %d\n\n", version); err != nil {
				return
			}
			if rc.Flush() != nil {
				return
			}
			sent, first = version, false
		}
		select {
		case <-r.Context().Done():
			return
		case <-p.done:
			return
		case <-changed:
		case <-ping.C:
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// doRequest is what the page posts to /playground/do/{action}.
type doRequest struct {
	User     string                       `json:"user"`
	Text     string                       `json:"text"`
	TS       string                       `json:"ts"`
	ViewID   string                       `json:"view_id"`
	BlockID  string                       `json:"block_id"`
	ActionID string                       `json:"action_id"`
	Values   map[string]map[string]string `json:"values"`
}

func (p *Playground) handleDo(w http.ResponseWriter, r *http.Request) {
	if err := sameOriginJSON(r); err != nil {
		writeJSON(w, http.StatusForbidden, jsonObject{"ok": false, "error": err.Error()})
		return
	}
	var req doRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, jsonObject{"ok": false, "error": "bad request: " + err.Error()})
		return
	}
	ctx := r.Context()
	out := jsonObject{"ok": true}
	var err error
	switch r.PathValue("action") {
	case "compose":
		err = p.compose(ctx, req.User, req.Text)
	case "click":
		if req.ViewID != "" {
			err = p.ClickView(ctx, req.User, req.ViewID, req.BlockID, req.ActionID, req.Values)
		} else {
			err = p.ClickMessage(ctx, req.User, req.TS, req.BlockID, req.ActionID)
		}
	case "submit":
		var res SubmitResult
		res, err = p.Submit(ctx, req.User, req.ViewID, req.Values)
		out["closed"], out["errors"] = res.Closed, res.Errors
	case "close":
		err = p.CloseModal(ctx, req.User, req.ViewID)
	case "home":
		err = p.OpenHome(ctx, req.User)
	default:
		writeJSON(w, http.StatusNotFound, jsonObject{"ok": false, "error": "unknown action"})
		return
	}
	var botErr *BotError
	switch {
	case err == nil:
	case errors.As(err, &botErr):
		out["ok"], out["error"], out["shown"] = false, botErr.Error(), true // already a line in the channel
	case errors.Is(err, ErrNotFound):
		writeJSON(w, http.StatusNotFound, jsonObject{"ok": false, "error": err.Error()})
		return
	default:
		writeJSON(w, http.StatusBadRequest, jsonObject{"ok": false, "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// compose handles what was typed in the composer: "/cais-next …" is the
// slash command, anything else a plain message.
func (p *Playground) compose(ctx context.Context, user, text string) error {
	text = strings.TrimSpace(text)
	if rest, ok := strings.CutPrefix(text, "/cais-next"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\n') {
		return p.Command(ctx, user, p.escapeMentions(strings.TrimSpace(rest)))
	}
	_, err := p.PostUserMessage(user, text)
	return err
}

// escapeMentions turns "@bob" typed in a command into "<@U0BOB|bob>" for
// the page's people, as Slack does for a command whose app asks for
// escaped users: the page has no @-picker, so a typed handle is how its
// users name someone (`admins add @bob`). Other words stay as typed.
func (p *Playground) escapeMentions(text string) string {
	words := strings.Split(text, " ")
	for i, w := range words {
		name, ok := strings.CutPrefix(w, "@")
		if !ok {
			continue
		}
		for _, u := range p.cfg.Users {
			if strings.EqualFold(name, handle(u)) {
				words[i] = "<@" + u.ID + "|" + handle(u) + ">"
				break
			}
		}
	}
	return strings.Join(words, " ")
}

// sameOriginJSON refuses the page's actions from other sites: they must be
// JSON (which a cross-site form cannot send without a CORS preflight we do
// not answer) from this origin.
func sameOriginJSON(r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		return errors.New("content type must be application/json")
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return errors.New("cross-site request refused")
	}
	if origin := r.Header.Get("Origin"); origin != "" && origin != "http://"+r.Host && origin != "https://"+r.Host {
		return errors.New("cross-origin request refused")
	}
	return nil
}

// loopbackOnly refuses requests that do not come from this machine, and
// requests whose Host is neither a loopback name nor BaseURL's host (DNS
// rebinding).
func (p *Playground) loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isLoopback(r.RemoteAddr) || !(isLoopbackHost(r.Host) || strings.EqualFold(r.Host, p.base.Host)) {
			http.Error(w, "the playground answers loopback requests only", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isLoopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
