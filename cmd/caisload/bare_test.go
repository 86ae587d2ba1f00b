package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// posted is one request the bare reference sent to the recorder.
type posted struct {
	path, contentType string
	body              []byte
}

// recorder is a fake Slack that keeps every post.
type recorder struct {
	mu    sync.Mutex
	posts []posted
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.posts = append(rc.posts, posted{r.URL.Path, r.Header.Get("Content-Type"), b})
	rc.mu.Unlock()
	_, _ = w.Write(okPost)
}

func (rc *recorder) take() []posted {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	p := rc.posts
	rc.posts = nil
	return p
}

// The bare click does a click's unavoidable work: it commits to its own
// keys, answers an empty 200, then posts a card the walk can click again
// to the response_url and a chat.postMessage as slack-go sends it.
func TestBareClick(t *testing.T) {
	rdb, prefix, _ := testRedis(t)
	rc := &recorder{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	b := newBare(rdb, benchSecret, prefix, srv.URL+"/api/", srv.Client())
	sign := newSigner(benchSecret)
	serve := func(body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(string(body)))
		req.Header = sign.header(body, time.Now())
		rec := httptest.NewRecorder()
		b.ServeHTTP(rec, req)
		return rec
	}
	f := newFirm("BARE01", 1, benchAdmin, srv.URL+"/response/0")
	if rec := serve(f.cmd[cmdNext]); rec.Code != http.StatusOK {
		t.Fatalf("/cais-next: %d %s", rec.Code, rec.Body)
	} else {
		f.learn(rec.Body.Bytes())
	}
	if f.card == "" || f.done || !strings.HasPrefix(f.action, "cais_") {
		t.Fatalf("the bare /cais-next card has no primary button to click: %q %q", f.card, f.action)
	}
	for i := 1; i <= 3; i++ {
		ru := srv.URL + "/response/" + strconv.Itoa(i)
		rec := serve(clickBody(nil, f, f.user, f.action, f.card, "trig", ru, "1700000000.00000"+strconv.Itoa(i)))
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
			t.Fatalf("click %d: %d %q, want an empty 200", i, rec.Code, rec.Body)
		}
		b.Wait()
		checkBarePosts(t, f, "/response/"+strconv.Itoa(i), rc.take())
		if f.card == "" || f.done {
			t.Fatalf("click %d: the replacement card has no primary button: the walk would stop", i)
		}
	}
	checkBareKeys(t, b, f, 3)
	if n, err := deletePrefix(context.Background(), rdb, prefix); err != nil || n != 2 {
		t.Fatalf("the cleanup by prefix deleted %d keys (%v), want the 2 bare keys", n, err)
	}

	if rec := serve([]byte("payload=%7B%7D")); rec.Code != http.StatusBadRequest {
		t.Errorf("empty payload: %d", rec.Code)
	}
	req := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(string(f.cmd[cmdNext])))
	req.Header = newSigner("wrong").header(f.cmd[cmdNext], time.Now())
	rec := httptest.NewRecorder()
	b.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("bad signature: %d", rec.Code)
	}
}

// checkBarePosts wants the replacement card at the response_url (and
// lets f learn it) and the public line at chat.postMessage.
func checkBarePosts(t *testing.T, f *firm, responsePath string, posts []posted) {
	t.Helper()
	if len(posts) != 2 || posts[0].path != responsePath || posts[1].path != "/api/chat.postMessage" {
		var paths []string
		for _, p := range posts {
			paths = append(paths, p.path)
		}
		t.Fatalf("posts %v, want %s then chat.postMessage", paths, responsePath)
	}
	var card struct {
		Replace bool              `json:"replace_original"`
		Blocks  []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(posts[0].body, &card); err != nil || !card.Replace || len(card.Blocks) == 0 || posts[0].contentType != "application/json" {
		t.Fatalf("response_url card (%v): %s", err, posts[0].body)
	}
	f.learn(posts[0].body)
	form, err := url.ParseQuery(string(posts[1].body))
	var blocks []json.RawMessage
	if err != nil || form.Get("token") == "" || form.Get("channel") != f.channel || form.Get("text") == "" ||
		json.Unmarshal([]byte(form.Get("blocks")), &blocks) != nil || len(blocks) != 1 ||
		posts[1].contentType != "application/x-www-form-urlencoded" {
		t.Fatalf("chat.postMessage (%v): %v", err, form)
	}
}

// checkBareKeys wants n commits under the reference's own keys, sized
// like the bot's, and the bot's keys untouched.
func checkBareKeys(t *testing.T, b *bare, f *firm, n int64) {
	t.Helper()
	ctx := context.Background()
	kp, ka := b.bareKeys(f.team)
	if !strings.HasPrefix(kp, b.prefix+"bare:{") {
		t.Fatalf("bare key %s is not in its own namespace", kp)
	}
	vals, err := b.rdb.HMGet(ctx, kp, "v", "p").Result()
	if err != nil || vals[0] != strconv.FormatInt(n, 10) {
		t.Fatalf("version %v (%v), want %d", vals, err, n)
	}
	if p, _ := vals[1].(string); len(p) < 1000 || len(p) > 1300 {
		t.Errorf("progress JSON is %d bytes, want about the bot's 1.1 KB", len(p))
	}
	entries, err := b.rdb.LRange(ctx, ka, 0, -1).Result()
	if err != nil || int64(len(entries)) != n {
		t.Fatalf("%d audit entries (%v), want %d", len(entries), err, n)
	}
	if l := len(entries[0]); l < 280 || l > 420 {
		t.Errorf("audit entry is %d bytes, want about the bot's 330", l)
	}
	if got, _ := listEntries(ctx, b.rdb, escapeGlob(b.prefix)+"bare:*:audit"); got != n {
		t.Errorf("listEntries counted %d, want %d", got, n)
	}
	if ex, _ := b.rdb.Exists(ctx, b.prefix+"{"+f.team+"}:progress").Result(); ex != 0 {
		t.Error("the bare click wrote the bot's progress key")
	}
}
