package adapter

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// MaxBody is the largest request body a platform may send; more is
// refused with 413.
const MaxBody = 1 << 20

// ReadBody reads r's body up to MaxBody. status is 0 when the body was
// read whole, 413 when it is larger, 400 when it could not be read.
func ReadBody(w http.ResponseWriter, r *http.Request) (body []byte, status int) {
	body, err := readAll(http.MaxBytesReader(w, r.Body, MaxBody), r.ContentLength)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge
		}
		return nil, http.StatusBadRequest
	}
	return body, 0
}

// readAll is io.ReadAll with room for size bytes (the Content-Length, if
// known and plausible) from the start: one allocation, where io.ReadAll
// starts at 512 bytes and doubles.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 || size > MaxBody {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, size+1) // +1: room to read EOF without growing
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // longer than announced
		}
	}
}

// Observer receives one call per request: its kind (the platform's own
// names: "command", "block_actions", "message", …), how it ended (see
// Outcome) and its latency. Metrics hang here.
type Observer func(kind, outcome string, d time.Duration)

// Observe tells o, if set, how a request that started at start ended.
func (o Observer) Observe(kind string, status int, failed bool, start time.Time) {
	if o != nil {
		o(kind, Outcome(status, failed), time.Since(start))
	}
}

// Outcome names how a request ended: "rejected" for a 4xx answer (bad
// signature, oversized, malformed), "error" when the user was shown a
// failure, "ok" otherwise.
func Outcome(status int, failed bool) string {
	switch {
	case status/100 == 4:
		return "rejected"
	case failed:
		return "error"
	}
	return "ok"
}

// Bounded gives each call through next at most d, as http.Client.Timeout
// would, but through the request's context. Client.Timeout over any
// transport but *http.Transport itself (ours is wrapped for metrics)
// costs a goroutine, a timer and three channels per call; a context
// deadline costs a timer. A call whose context ends sooner keeps its own
// deadline. The deadline lasts until the body is closed, as Timeout's does.
func Bounded(next http.RoundTripper, d time.Duration) http.RoundTripper {
	return bounded{next: next, d: d}
}

type bounded struct {
	next http.RoundTripper
	d    time.Duration
}

func (b bounded) RoundTrip(r *http.Request) (*http.Response, error) {
	if dl, ok := r.Context().Deadline(); ok && time.Until(dl) <= b.d {
		return b.next.RoundTrip(r)
	}
	ctx, cancel := context.WithTimeout(r.Context(), b.d)
	resp, err := b.next.RoundTrip(r.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends a call's deadline when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
