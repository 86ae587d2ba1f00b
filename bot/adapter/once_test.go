package adapter

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// memClaims is Claims in a map, recording the TTLs asked for.
type memClaims struct {
	m    map[string][]byte
	ttls []time.Duration
	err  error
}

func (c *memClaims) ClaimDelivery(_ context.Context, key string, value []byte, ttl time.Duration) (bool, []byte, error) {
	if c.err != nil {
		return false, nil, c.err
	}
	c.ttls = append(c.ttls, ttl)
	if v, ok := c.m[key]; ok {
		return false, v, nil
	}
	c.m[key] = value
	return true, nil, nil
}

func (c *memClaims) KeepDelivery(_ context.Context, key string, value []byte, ttl time.Duration) error {
	c.ttls = append(c.ttls, ttl)
	c.m[key] = value
	return nil
}

func (c *memClaims) ReleaseDelivery(_ context.Context, key string) error {
	delete(c.m, key)
	return nil
}

func TestOnce(t *testing.T) {
	ctx := context.Background()
	long := []byte(strings.Repeat("x", maxKept+1))
	for _, tc := range []struct {
		name     string
		keep     bool
		answer   []byte
		wantDup  bool // a second Begin is a duplicate
		wantDone bool
		want     string
	}{
		{"kept with its answer", true, []byte(`{"a":1}`), true, true, `{"a":1}`},
		{"kept, answer too long", true, long, true, true, ""},
		{"changed nothing: released", false, []byte(`{"a":1}`), false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mc := &memClaims{m: map[string][]byte{}}
			o, err := NewOnce(mc, nil)
			if err != nil {
				t.Fatal(err)
			}
			key := DeliveryKey("test", "T1", "sig")
			c, dup, err := o.Begin(ctx, key)
			if c == nil || dup != nil || err != nil {
				t.Fatalf("first Begin: %v %v %v", c, dup, err)
			}
			if _, dup, _ := o.Begin(ctx, key); dup == nil || dup.Done {
				t.Fatalf("Begin while the first runs: %+v, want a duplicate not done", dup)
			}
			c.Finish(ctx, tc.keep, tc.answer)
			_, dup, _ = o.Begin(ctx, key)
			if (dup != nil) != tc.wantDup {
				t.Fatalf("after Finish: duplicate %+v, want %v", dup, tc.wantDup)
			}
			if dup != nil && (dup.Done != tc.wantDone || string(dup.Answer) != tc.want) {
				t.Errorf("duplicate %+v, want done %v answer %q", dup, tc.wantDone, tc.want)
			}
			for _, ttl := range mc.ttls {
				if ttl != DeliveryTTL {
					t.Errorf("TTL %v, want %v", ttl, DeliveryTTL)
				}
			}
		})
	}
}

func TestOnceEdges(t *testing.T) {
	ctx := context.Background()
	if _, err := NewOnce(nil, nil); err == nil {
		t.Error("NewOnce without claims accepted")
	}
	mc := &memClaims{m: map[string][]byte{}, err: errors.New("down")}
	o, _ := NewOnce(mc, nil)
	if c, dup, err := o.Begin(ctx, ""); c != nil || dup != nil || err != nil {
		t.Errorf("an empty key must not be claimed: %v %v %v", c, dup, err)
	}
	if _, _, err := o.Begin(ctx, "k"); err == nil {
		t.Error("a store failure must be returned, so nothing runs")
	}
	(*Claim)(nil).Finish(ctx, true, nil) // a request that claimed nothing
}

func TestDeliveryKeys(t *testing.T) {
	keys := map[string]string{}
	for name, k := range map[string]string{
		"a|bc":         DeliveryKey("slack", "a", "bc"),
		"ab|c":         DeliveryKey("slack", "ab", "c"),
		"teams a|bc":   DeliveryKey("teams", "a", "bc"),
		"form 1":       FormKey("slack", "V1", map[string]string{"a": "1", "b": "2"}),
		"form 2":       FormKey("slack", "V1", map[string]string{"a": "1", "b": "3"}),
		"form 1 again": FormKey("slack", "V1", map[string]string{"b": "2", "a": "1"}),
	} {
		if len(k) > 100 {
			t.Errorf("%s: key %q too long", name, k)
		}
		keys[name] = k
	}
	if keys["a|bc"] == keys["ab|c"] || keys["a|bc"] == keys["teams a|bc"] || keys["form 1"] == keys["form 2"] {
		t.Error("different deliveries share a key")
	}
	if keys["form 1"] != keys["form 1 again"] {
		t.Error("the same submission has two keys")
	}
}

func TestKeeps(t *testing.T) {
	for _, tc := range []struct {
		reply dialogs.Reply
		err   error
		want  bool
	}{
		{dialogs.Reply{Changed: true}, nil, true},
		{dialogs.Reply{}, nil, false},
		{dialogs.Reply{}, dialogs.ErrUnavailable, false},
		{dialogs.Reply{}, dialogs.ErrUncertain, true},
	} {
		if got := Keeps(tc.reply, tc.err); got != tc.want {
			t.Errorf("Keeps(changed %v, %v) = %v", tc.reply.Changed, tc.err, got)
		}
	}
}

// Claims outlive a release: a delivery retried across a rolling upgrade
// must get the key the release before gave it.
func TestDeliveryKeysStayTheSame(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{DeliveryKey("slack", "1531420618", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"), "slack:e2ca380b42f568ce73f97d560401e5682fbd31da"},
		{DeliveryKey("slack-socket", strings.Repeat("e", 300)), "slack-socket:6d12c03f88cdefea53f6c5b72d21b222c1c7b0bb"},
	} {
		if tc.got != tc.want {
			t.Errorf("key %s; want %s", tc.got, tc.want)
		}
	}
}
