package adapter

import (
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
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge
		}
		return nil, http.StatusBadRequest
	}
	return body, 0
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
