package adapter

import (
	"context"
	"time"
)

// maxTries bounds the attempts of one Retry, whatever the waits.
const maxTries = 5

// Retry calls call until it succeeds, or its error is not one to retry
// (after says how long the platform asks to wait, ok false: do not
// retry), or the wait would leave less than reserve before ctx's
// deadline (kept for telling the user), or maxTries attempts were made.
// It returns the last error.
func Retry(ctx context.Context, reserve time.Duration, call func(context.Context) error, after func(error) (wait time.Duration, ok bool)) error {
	var err error
	for try := 1; ; try++ {
		if err = call(ctx); err == nil || try == maxTries {
			return err
		}
		wait, ok := after(err)
		if !ok {
			return err
		}
		if dl, has := ctx.Deadline(); has && time.Until(dl) < wait+reserve {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}
