package app

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

// go-redis's own messages reach the log as one JSON object whose keys are
// each given once, so a log pipeline keeps both the message and the detail.
func TestRedisClientMessagesAreStructured(t *testing.T) {
	var buf bytes.Buffer
	redisLog{log: slog.New(slog.NewJSONHandler(&buf, nil))}.Printf(context.Background(), "redis: connection pool: failed to dial after %d attempts", 5)
	line := buf.Bytes()
	var rec map[string]any
	if err := json.Unmarshal(line, &rec); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	if n := bytes.Count(line, []byte(`"msg":`)); n != 1 {
		t.Errorf("%d msg keys in %s", n, line)
	}
	if rec["level"] != "WARN" || rec["msg"] != "redis client" || rec["detail"] != "redis: connection pool: failed to dial after 5 attempts" {
		t.Errorf("log line %s", line)
	}
}
