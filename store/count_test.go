package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/internal/redistest"
)

func TestCountByStep(t *testing.T) {
	rdb, prefix := redistest.New(t)
	s := New(rdb, prefix)
	ctx := context.Background()
	for i, cur := range []string{"register", "register", "complete", ""} {
		firm := "T" + string(rune('A'+i))
		next := dialogs.Progress{Version: 1, Current: cur}
		e := dialogs.Entry{Action: dialogs.ActConfirm, Version: 1, At: time.Now()}
		e.Seal(0, "")
		next.Seq, next.Head = e.Seq, e.Hash
		if err := s.Commit(ctx, slackFirm(firm), 0, next, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.CountByStep(ctx, "obligation")
	want := map[string]int{"register": 2, "complete": 1, "obligation": 1}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("CountByStep = %v, %v; want %v", got, err, want)
	}
}
