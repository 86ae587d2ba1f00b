package adapter

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A call through Bounded ends at its bound when the platform hangs, as
// with http.Client.Timeout, and a call that answers can be read whole.
func TestBoundedEndsAHangingCall(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	defer close(release)
	c := &http.Client{Transport: Bounded(http.DefaultTransport, 200*time.Millisecond)}

	start := time.Now()
	_, err := c.Get(srv.URL + "/hang")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hanging call: err %v, want the deadline", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("hanging call ended after %v, want about its 200ms bound", took)
	}

	resp, err := c.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // the body is read after RoundTrip returned
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(b) != "ok" {
		t.Fatalf("answered call: %q, %v", b, err)
	}
}

// A call whose context ends sooner than the bound keeps its own deadline,
// and a longer one is cut to the bound.
func TestBoundedKeepsASoonerDeadline(t *testing.T) {
	var got []time.Duration
	rec := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		dl, ok := r.Context().Deadline()
		if !ok {
			t.Fatal("call without a deadline")
		}
		got = append(got, time.Until(dl))
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	})
	b := Bounded(rec, time.Second)
	for _, d := range []time.Duration{100 * time.Millisecond, time.Hour} {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://example.invalid/", nil)
		resp, err := b.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cancel()
	}
	if len(got) != 2 || got[0] > 100*time.Millisecond || got[1] > time.Second || got[1] < 500*time.Millisecond {
		t.Fatalf("deadlines %v, want ≤100ms then about 1s", got)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// ReadBody reads the whole body whatever its Content-Length says, and
// refuses one over MaxBody with 413.
func TestReadBodyWhateverTheLengthSays(t *testing.T) {
	body := strings.Repeat("payload=x&", 700)
	for _, tc := range []struct {
		name     string
		body     string
		length   int64
		want     string
		wantCode int
	}{
		{"exact", body, int64(len(body)), body, 0},
		{"unknown", body, -1, body, 0},
		{"announced shorter", body, 10, body, 0},
		{"announced longer", body, int64(len(body)) * 2, body, 0},
		{"empty", "", 0, "", 0},
		{"too big", strings.Repeat("x", MaxBody+1), MaxBody + 1, "", http.StatusRequestEntityTooLarge},
		{"too big, announced small", strings.Repeat("x", MaxBody+1), 100, "", http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			r.ContentLength = tc.length
			got, code := ReadBody(httptest.NewRecorder(), r)
			if code != tc.wantCode || string(got) != tc.want {
				t.Fatalf("got %d bytes, status %d; want %d bytes, status %d", len(got), code, len(tc.want), tc.wantCode)
			}
		})
	}
}
