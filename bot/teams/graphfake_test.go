package teams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeGraph plays Entra's per-tenant token endpoint and Microsoft
// Graph's message lists. A conversation's history is what the fake
// connector stored there (newest first, cards re-serialised with
// indentation as Teams may), after any extra messages a test adds.
type fakeGraph struct {
	*httptest.Server
	bf *fakeBF

	mu      sync.Mutex
	calls   []call
	tokens  int
	refuse  bool   // the token endpoint answers 401 invalid_client
	fail    []int  // statuses for the next message reads
	always  int    // status for every message read, if set
	group   string // the team group id Graph knows
	page    int    // page size; 0: as $top asks
	delay   time.Duration
	lag     int // the next message reads show none of the bot's posts yet
	created time.Time
	extra   map[string][]map[string]any // by conversation, newest first
}

func newFakeGraph(t testing.TB, bf *fakeBF, created time.Time) *fakeGraph {
	g := &fakeGraph{bf: bf, group: "aad-group-1", created: created, extra: map[string][]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login/{tenant}/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		g.record(r)
		g.mu.Lock()
		g.tokens++
		n, refuse := g.tokens, g.refuse
		g.mu.Unlock()
		if refuse {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: secret"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": 3599,
			"access_token": fmt.Sprintf("graph-token-%s-%d", r.PathValue("tenant"), n)})
	})
	mux.HandleFunc("GET /graph/v1.0/teams/{group}/channels/{channel}/messages", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("group") != g.group {
			g.record(r)
			http.Error(w, `{"error":{"code":"NotFound"}}`, http.StatusNotFound)
			return
		}
		g.messages(w, r, r.PathValue("channel"))
	})
	mux.HandleFunc("GET /graph/v1.0/chats/{chat}/messages", func(w http.ResponseWriter, r *http.Request) {
		g.messages(w, r, r.PathValue("chat"))
	})
	g.Server = httptest.NewServer(mux)
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGraph) record(r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = append(g.calls, call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), Form: r.PostForm})
}

// messages answers one page of a conversation's history.
func (g *fakeGraph) messages(w http.ResponseWriter, r *http.Request, conv string) {
	g.record(r)
	g.mu.Lock()
	status := g.always
	if len(g.fail) > 0 {
		status, g.fail = g.fail[0], g.fail[1:]
	}
	size, delay := g.page, g.delay
	g.mu.Unlock()
	select { // a slow Graph, until the caller gives up
	case <-time.After(delay):
	case <-r.Context().Done():
		return
	}
	if status != 0 {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"error":{"code":%q,"message":"test"}}`, http.StatusText(status))
		return
	}
	all := g.history(conv)
	q := r.URL.Query()
	if size == 0 {
		size, _ = strconv.Atoi(q.Get("$top"))
	}
	skip, _ := strconv.Atoi(q.Get("$skiptoken"))
	end := min(skip+size, len(all))
	out := map[string]any{"value": all[skip:end]}
	if end < len(all) {
		next := url.Values{"$top": {q.Get("$top")}, "$skiptoken": {strconv.Itoa(end)}}
		out["@odata.nextLink"] = g.URL + r.URL.Path + "?" + next.Encode()
	}
	_ = json.NewEncoder(w).Encode(out)
}

// history is the conversation's messages, newest first: the extras,
// then the bot's top-level posts the connector stored, latest first.
func (g *fakeGraph) history(conv string) []map[string]any {
	g.mu.Lock()
	out := append([]map[string]any{}, g.extra[conv]...)
	created, lagging := g.created, g.lag > 0
	if lagging {
		g.lag--
	}
	g.mu.Unlock()
	if lagging {
		return out
	}
	posts := g.bf.Calls(http.MethodPost, "/v3/conversations/"+conv+"/activities")
	for i := len(posts) - 1; i >= 0; i-- {
		c := posts[i]
		if c.ID == "" || c.Path != "/v3/conversations/"+conv+"/activities" {
			continue
		}
		out = append(out, graphMessage(c.ID, testApp, created, cardsOf(c.Raw)...))
	}
	return out
}

// graphMessage is a bot's chatMessage as Graph shows it: from the
// application, each card an attachment with its JSON as a string.
func graphMessage(id, app string, created time.Time, cards ...[]byte) map[string]any {
	var atts []map[string]any
	for i, c := range cards {
		atts = append(atts, map[string]any{"id": fmt.Sprintf("att-%d", i), "contentType": CardContentType, "contentUrl": nil, "content": string(c)})
	}
	return map[string]any{"id": id, "messageType": "message", "createdDateTime": created.UTC().Format(time.RFC3339Nano),
		"from":        map[string]any{"user": nil, "application": map[string]any{"id": app, "displayName": "caisbot", "applicationIdentityType": "bot"}},
		"body":        map[string]any{"contentType": "html", "content": "<attachment id=\"att-0\"></attachment>"},
		"attachments": atts}
}

// cardsOf are an activity's card attachments, indented as Teams may
// store them.
func cardsOf(raw []byte) [][]byte {
	var a struct {
		Attachments []struct {
			Content json.RawMessage `json:"content"`
		} `json:"attachments"`
	}
	_ = json.Unmarshal(raw, &a)
	var out [][]byte
	for _, at := range a.Attachments {
		var b bytes.Buffer
		_ = json.Indent(&b, at.Content, "", "  ")
		out = append(out, bytes.ReplaceAll(b.Bytes(), []byte("\n"), []byte("\r\n")))
	}
	return out
}

// Calls returns the Graph (or token) calls under a path prefix.
func (g *fakeGraph) Calls(prefix string) []call {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []call
	for _, c := range g.calls {
		if strings.HasPrefix(c.Path, prefix) {
			out = append(out, c)
		}
	}
	return out
}

func (g *fakeGraph) failNext(statuses ...int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fail = append(g.fail, statuses...)
}

// lagBehind makes the next n message reads miss the bot's posts, as
// when Graph shows a message a little after the connector took it.
func (g *fakeGraph) lagBehind(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.lag = n
}

func (g *fakeGraph) failAlways(status int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.always = status
}

func (g *fakeGraph) add(conv string, msgs ...map[string]any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.extra[conv] = append(g.extra[conv], msgs...)
}
