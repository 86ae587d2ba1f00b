package store

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/internal/redistest"
)

func TestHomeViewers(t *testing.T) {
	rdb, prefix := redistest.New(t)
	s := New(rdb, prefix)
	ctx := context.Background()
	for _, u := range []string{"U2", "U1", "U2"} {
		if err := s.AddViewer(ctx, "T1", u); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Viewers(ctx, "T1")
	if err != nil || !reflect.DeepEqual(got, []string{"U1", "U2"}) {
		t.Fatalf("viewers %v %v, want [U1 U2]", got, err)
	}
	keys, _ := rdb.Keys(ctx, prefix+"*").Result()
	if len(keys) != 1 || !strings.HasPrefix(keys[0], prefix+"{T1}") {
		t.Fatalf("keys %v: want one key in the firm's hash tag", keys)
	}
	if err := s.AddViewer(ctx, "T{1}", "U1"); err == nil {
		t.Fatal("a firm id with braces must be refused")
	}
}
