package adapter

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestRequestIDFollowsBackgroundWork(t *testing.T) {
	var out lockedBuf
	log := slog.New(slog.NewTextHandler(&out, nil))
	ctx, rq := Begin(context.Background(), log, "kind", "test")
	cctx, cancel := context.WithCancel(ctx)
	cancel() // the request is over before its background work runs
	bg := &Background{Timeout: time.Second, Log: log}
	bg.Go(cctx, "slack call", "chat.postMessage", func(ctx context.Context) error {
		if ctx.Err() != nil {
			return errors.New("background work inherited the request's cancellation")
		}
		return errors.New("boom")
	})
	bg.Wait()
	line := out.String()
	if !strings.Contains(line, "request_id=") || !strings.Contains(line, "slack call failed") || !strings.Contains(line, "err=boom") {
		t.Fatalf("log: %s", line)
	}
	if rq.Failed() {
		t.Fatal("failed before MarkFailed")
	}
	MarkFailed(ctx)
	if !rq.Failed() || (*Request)(nil).Failed() {
		t.Fatal("MarkFailed not recorded")
	}
	if Logger(context.Background(), log) != log {
		t.Fatal("outside a request the fallback logger is used")
	}
}
