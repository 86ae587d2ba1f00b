package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/store"
)

// A real three-master Redis Cluster on loopback, reached the way caisbot
// reaches one (REDIS_ADDRS with several nodes): the store's contract holds
// with firms spread over every master, and a journey works with two
// replicas of the bot clicking on the same firm.
func TestRedisCluster(t *testing.T) {
	needRedisBinaries(t)
	start := time.Now()
	nodes := startCluster(t)
	// As caisbot with REDIS_ADDRS and a REDIS_URL for the credentials.
	cfg := store.Config{URL: "redis://:" + testPassword + "@127.0.0.1", Addrs: addrsOf(nodes)}
	t.Logf("three-master cluster up in %v", time.Since(start).Round(time.Millisecond))
	open := func(t *testing.T) (*store.Redis, redis.UniversalClient, string) {
		s, c, prefix := openStore(t, cfg)
		if _, ok := c.(*redis.ClusterClient); !ok {
			t.Fatalf("store.Open with %d addresses gave %T; want a cluster client", len(cfg.Addrs), c)
		}
		return s, c, prefix
	}

	t.Run("conformance", func(t *testing.T) { conformance(t, open) })

	t.Run("firms spread over every master", func(t *testing.T) {
		s, c, prefix := open(t)
		firms := manyFirms(30)
		for _, f := range firms {
			commitN(t, s, f, 1)
		}
		// A pipeline over every master reads them all back.
		counts, err := s.CountByStep(context.Background(), "obligation")
		if err != nil || counts["s1"] != len(firms) || len(counts) != 1 {
			t.Fatalf("CountByStep = %v, %v; want all %d firms at s1", counts, err, len(firms))
		}
		perNode := keysPerMaster(t, c.(*redis.ClusterClient), prefix)
		if len(perNode) != len(nodes) {
			t.Fatalf("keys on %d masters (%v); want all %d", len(perNode), perNode, len(nodes))
		}
		for addr, n := range perNode {
			if n == 0 {
				t.Fatalf("master %s holds none of the firms: %v", addr, perNode)
			}
		}
		t.Logf("keys per master: %v", perNode)
	})

	t.Run("journey with two bot replicas", func(t *testing.T) {
		journey(t, cfg)
	})
	t.Logf("cluster test total %v", time.Since(start).Round(time.Millisecond))
}

// keysPerMaster counts the keys under prefix on each master.
func keysPerMaster(t *testing.T, c *redis.ClusterClient, prefix string) map[string]int {
	t.Helper()
	var mu sync.Mutex
	out := map[string]int{}
	err := c.ForEachMaster(context.Background(), func(ctx context.Context, node *redis.Client) error {
		n := 0
		iter := node.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			n++
		}
		mu.Lock()
		out[node.Options().Addr] = n
		mu.Unlock()
		return iter.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// journey drives dialogs.Service, as the Slack handler does, through two
// "replicas" (each its own client to the deployment, one key prefix):
// Step 1 to Step 3 by button, a stale click, and twenty simultaneous
// clicks on one button, then verifies and exports the trail.
func journey(t *testing.T, cfg store.Config) {
	j := newJourney(t, cfg)
	yes, step3 := j.toStep3()
	j.staleClick(yes)
	j.clickAtOnce(step3)
	j.verifyAndExport()
}

// journeyRig is the journey's firm as two replicas of the bot see it.
type journeyRig struct {
	t        *testing.T
	ctx      context.Context
	sa, sb   *store.Redis // replica a's store and replica b's
	replicas []*dialogs.Service
	a, b     *dialogs.Service
	ev       dialogs.Event
}

// journeyFirm is the firm the journey walks.
const journeyFirm = "T0JOURNEY"

func newJourney(t *testing.T, cfg store.Config) *journeyRig {
	t.Helper()
	sa, _, prefix := openStore(t, cfg)
	cb, err := store.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cb.Close() })
	sb := store.New(cb, prefix)

	nyc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	var tick atomic.Int64
	clock := func() time.Time {
		return time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC).Add(time.Duration(tick.Add(1)) * time.Second)
	}
	flow := &dialogs.Flow{Roadmap: dialogs.Default(), Admins: []string{"UADMIN"}, Loc: nyc}
	replicas := []*dialogs.Service{
		{Flow: flow, Store: sa, Now: clock},
		{Flow: flow, Store: sb, Now: clock},
	}
	return &journeyRig{t: t, ctx: context.Background(), sa: sa, sb: sb, replicas: replicas,
		a: replicas[0], b: replicas[1], ev: dialogs.Event{User: "U1", Channel: "C1"}}
}

func (j *journeyRig) click(svc *dialogs.Service, value string) dialogs.Reply {
	j.t.Helper()
	r, err := svc.Click(j.ctx, slackFirm(journeyFirm), j.ev, value)
	if err != nil {
		j.t.Fatalf("click: %v", err)
	}
	return r
}

func (j *journeyRig) trail() []dialogs.Entry {
	j.t.Helper()
	entries, err := j.sa.Audit(j.ctx, slackFirm(journeyFirm), 0, -1)
	if err != nil {
		j.t.Fatal(err)
	}
	return entries
}

// toStep3 clicks from Step 1 to Step 3 on alternating replicas; it
// returns Step 1's Yes button and Step 3's card.
func (j *journeyRig) toStep3() (dialogs.Action, dialogs.Reply) {
	t, ctx, a, b, ev := j.t, j.ctx, j.a, j.b, j.ev
	t.Helper()
	step1, err := a.Command(ctx, slackFirm(journeyFirm), ev, dialogs.ParseCommand(""))
	if err != nil || !strings.HasPrefix(step1.Title, "Step 1:") {
		t.Fatalf("first card %q, %v; want Step 1", step1.Title, err)
	}
	yes := action(t, step1, func(x dialogs.Action) bool { return x.Label == "Yes" })
	step2 := j.click(b, yes.Value) // the other replica takes the click
	if !strings.HasPrefix(step2.Title, "Step 2:") {
		t.Fatalf("after Yes: %q; want Step 2", step2.Title)
	}
	step3 := j.click(a, primary(t, step2).Value)
	if !strings.HasPrefix(step3.Title, "Step 3:") {
		t.Fatalf("after Step 2's button: %q; want Step 3", step3.Title)
	}
	return yes, step3
}

// staleClick clicks Step 1's card again, stale now: it changes nothing.
func (j *journeyRig) staleClick(yes dialogs.Action) {
	j.t.Helper()
	before, _ := j.sa.Load(j.ctx, slackFirm(journeyFirm))
	j.click(j.b, yes.Value)
	if after, _ := j.sa.Load(j.ctx, slackFirm(journeyFirm)); after.Version != before.Version || len(j.trail()) != 2 {
		j.t.Fatalf("stale click moved the firm from v%d to v%d (%d entries); want no change", before.Version, after.Version, len(j.trail()))
	}
}

// clickAtOnce has twenty people click Step 3's button at once, on both
// replicas; one confirmation is recorded and the chain verifies.
func (j *journeyRig) clickAtOnce(step3 dialogs.Reply) {
	t, ctx := j.t, j.ctx
	t.Helper()
	confirm := primary(t, step3).Value
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			e := dialogs.Event{User: fmt.Sprintf("U%02d", i), Channel: "C1"}
			if _, err := j.replicas[i%2].Click(ctx, slackFirm(journeyFirm), e, confirm); err != nil {
				t.Errorf("concurrent click %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	entries := j.trail()
	if len(entries) != 3 {
		t.Fatalf("after 20 simultaneous clicks the trail has %d entries; want 3 (one confirmation)", len(entries))
	}
	p, err := j.sb.Load(ctx, slackFirm(journeyFirm))
	if err != nil {
		t.Fatal(err)
	}
	if br := dialogs.VerifyChain(entries, p.Head); br != nil {
		t.Fatalf("audit chain: %v", br)
	}
}

// verifyAndExport runs verify on one replica and export on the other.
func (j *journeyRig) verifyAndExport() {
	t, ctx := j.t, j.ctx
	t.Helper()
	verify, err := j.b.Command(ctx, slackFirm(journeyFirm), j.ev, dialogs.ParseCommand("verify"))
	if err != nil || !strings.Contains(verify.Title, "verified") {
		t.Fatalf("verify: %q, %v; want the trail verified", verify.Title, err)
	}
	export, err := j.a.Command(ctx, slackFirm(journeyFirm), j.ev, dialogs.ParseCommand("export"))
	if err != nil || export.File == nil || len(export.File.Content) == 0 {
		t.Fatalf("export: %+v, %v; want a CSV file", export, err)
	}
}

// action finds the one button on r that match accepts.
func action(t *testing.T, r dialogs.Reply, match func(dialogs.Action) bool) dialogs.Action {
	t.Helper()
	var found []dialogs.Action
	for _, x := range r.Actions {
		if match(x) {
			found = append(found, x)
		}
	}
	if len(found) != 1 {
		t.Fatalf("card %q: %d matching buttons among %+v; want 1", r.Title, len(found), r.Actions)
	}
	return found[0]
}

// primary is the card's button for the usual path.
func primary(t *testing.T, r dialogs.Reply) dialogs.Action {
	t.Helper()
	return action(t, r, func(x dialogs.Action) bool { return x.Style == dialogs.Primary })
}
