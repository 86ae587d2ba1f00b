package store_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/store"
)

// startCluster starts three masters with cluster mode on, joins them with
// redis-cli --cluster create (no replicas) and waits until every node
// reports the cluster healthy. It returns the nodes' addresses.
func startCluster(t *testing.T) []*redisProc {
	t.Helper()
	nodes := make([]*redisProc, 3)
	addrs := make([]string, len(nodes))
	for i := range nodes {
		nodes[i] = startRedis(t, fmt.Sprintf("cluster-node-%d", i+1), true, "", append([]string{
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no"}, auth...)...)
		addrs[i] = nodes[i].addr()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "0", "--cluster-yes")
	create := exec.CommandContext(ctx, "redis-cli", args...)
	create.Env = append(os.Environ(), "REDISCLI_AUTH="+testPassword)
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	clients := make([]*redis.Client, len(nodes))
	for i, n := range nodes {
		clients[i] = client(t, n)
	}
	waitFor(t, 30*time.Second, "cluster_state:ok on every node", func(ctx context.Context) error {
		for i, c := range clients {
			info, err := c.ClusterInfo(ctx).Result()
			if err != nil {
				return err
			}
			for _, want := range []string{"cluster_state:ok", "cluster_slots_ok:16384", "cluster_known_nodes:3"} {
				if !strings.Contains(info, want) {
					return fmt.Errorf("node %d: no %s in CLUSTER INFO", i+1, want)
				}
			}
		}
		return nil
	})
	return nodes
}

func addrsOf(procs []*redisProc) []string {
	out := make([]string, len(procs))
	for i, p := range procs {
		out[i] = p.addr()
	}
	return out
}

// openStore opens cfg as caisbot does and gives the store a fresh prefix,
// as redistest does for single-node tests.
func openStore(t *testing.T, cfg store.Config) (*store.Redis, redis.UniversalClient, string) {
	t.Helper()
	c, err := store.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	prefix := "test:" + rand.Text() + ":"
	return store.New(c, prefix), c, prefix
}

// storeOpener opens a store with a fresh prefix on the deployment under
// test, and gives its client and prefix.
type storeOpener func(t *testing.T) (*store.Redis, redis.UniversalClient, string)

// conformanceChecks are the store's contract, each run on its own store.
var conformanceChecks = []struct {
	name  string
	check func(t *testing.T, open storeOpener)
}{
	{"round trip for many firms", conformRoundTrip},
	{"conflict writes nothing", conformConflict},
	{"replayed commit is not a conflict", conformReplay},
	{"out of sequence commit is refused", conformSequence},
	{"twenty concurrent commits per firm, one wins", conformConcurrent},
	{"audit chain verifies and finds tampering", conformTamper},
}

// conformance runs the store's contract on a multi-node Redis: every
// store open gives a store with a fresh prefix on the same deployment.
func conformance(t *testing.T, open storeOpener) {
	for _, c := range conformanceChecks {
		t.Run(c.name, func(t *testing.T) { c.check(t, open) })
	}
}

// conformRoundTrip checks every firm's record, trail and index entry
// after commits to many firms.
func conformRoundTrip(t *testing.T, open storeOpener) {
	ctx := context.Background()
	s, _, _ := open(t)
	firms := manyFirms(40)
	want := map[string]dialogs.Progress{}
	for _, f := range firms {
		want[f] = commitN(t, s, f, 3)
	}
	for _, f := range firms {
		got, err := s.Load(ctx, slackFirm(f))
		if err != nil || !reflect.DeepEqual(got, want[f]) {
			t.Fatalf("Load(%s) = %+v, %v; want %+v", f, got, err, want[f])
		}
		entries, err := s.Audit(ctx, slackFirm(f), 0, -1)
		if err != nil || !slices.Equal(seqs(entries), []int64{1, 2, 3}) {
			t.Fatalf("Audit(%s) = %v, %v; want seqs 1 2 3", f, seqs(entries), err)
		}
	}
	got, err := s.Firms(ctx)
	if sorted := slices.Sorted(slices.Values(firms)); err != nil || !slices.Equal(keysOf(got), sorted) {
		t.Fatalf("Firms = %v, %v; want %v", got, err, sorted)
	}
}

// conformConflict checks a commit expecting the wrong version is
// refused and changes nothing.
func conformConflict(t *testing.T, open storeOpener) {
	ctx := context.Background()
	s, _, _ := open(t)
	want := commitN(t, s, "T1", 2)
	for _, expect := range []int64{0, 1, 5} {
		next, e := change(dialogs.Progress{Version: expect}, "U2")
		if err := s.Commit(ctx, slackFirm("T1"), expect, next, e); !errors.Is(err, dialogs.ErrConflict) {
			t.Fatalf("Commit expecting v%d = %v; want ErrConflict", expect, err)
		}
	}
	assertState(t, s, "T1", want, 2)
}

// conformReplay checks the same commit made twice succeeds both times
// and is recorded once.
func conformReplay(t *testing.T, open storeOpener) {
	ctx := context.Background()
	s, _, _ := open(t)
	p := commitN(t, s, "T1", 1)
	next, e := change(p, "U2")
	for i := range 2 {
		if err := s.Commit(ctx, slackFirm("T1"), p.Version, next, e); err != nil {
			t.Fatalf("Commit #%d = %v; want nil", i+1, err)
		}
	}
	assertState(t, s, "T1", next, 2)
}

// conformSequence checks an entry out of sequence is refused and
// changes nothing.
func conformSequence(t *testing.T, open storeOpener) {
	ctx := context.Background()
	s, _, _ := open(t)
	p := commitN(t, s, "T1", 1)
	next, e := change(p, "U2")
	e.Seq = 7
	if err := s.Commit(ctx, slackFirm("T1"), p.Version, next, e); !errors.Is(err, store.ErrSequence) {
		t.Fatalf("Commit with entry seq 7 after 1 = %v; want ErrSequence", err)
	}
	assertState(t, s, "T1", p, 1)
}

// conformConcurrent has twenty commits race on each of three firms; one
// per firm wins.
func conformConcurrent(t *testing.T, open storeOpener) {
	ctx := context.Background()
	s, _, _ := open(t)
	firms := manyFirms(3) // on different nodes of a cluster, at once
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n*len(firms))
	for fi, f := range firms {
		for i := range n {
			wg.Go(func() {
				next, e := change(dialogs.Progress{}, fmt.Sprintf("U%d", i))
				errs[fi*n+i] = s.Commit(ctx, slackFirm(f), 0, next, e)
			})
		}
	}
	wg.Wait()
	for fi, f := range firms {
		won := 0
		for _, err := range errs[fi*n : (fi+1)*n] {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, dialogs.ErrConflict):
				t.Errorf("%s: Commit = %v; want nil or ErrConflict", f, err)
			}
		}
		entries, err := s.Audit(ctx, slackFirm(f), 0, -1)
		if won != 1 || err != nil || len(entries) != 1 {
			t.Errorf("%s: %d commits won, %d audit entries (%v); want 1 and 1", f, won, len(entries), err)
		}
	}
}

// conformTamper checks the stored chain verifies, and that verifying
// finds an entry edited in Redis.
func conformTamper(t *testing.T, open storeOpener) {
	ctx := context.Background()
	s, c, prefix := open(t)
	p := commitN(t, s, "T1:C1", 5)
	entries, err := s.Audit(ctx, slackFirm("T1:C1"), 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if b := dialogs.VerifyChain(entries, p.Head); b != nil {
		t.Fatalf("VerifyChain: %v", b)
	}
	tampered := entries[1]
	tampered.User = "U_MALLORY"
	raw, _ := json.Marshal(tampered)
	if err := c.LSet(ctx, prefix+"{T1:C1}:audit", 1, raw).Err(); err != nil {
		t.Fatal(err)
	}
	entries, _ = s.Audit(ctx, slackFirm("T1:C1"), 0, -1)
	if b := dialogs.VerifyChain(entries, p.Head); b == nil || b.Seq != 2 {
		t.Fatalf("VerifyChain after tampering entry 2 = %v; want a break at 2", b)
	}
}

// manyFirms are n firm ids of both scopes: workspace ("T…") and channel
// ("T…:C…"). Their hash tags spread them over the cluster's slots.
func manyFirms(n int) []string {
	out := make([]string, n)
	for i := range out {
		if i%2 == 0 {
			out[i] = fmt.Sprintf("T%04dAB", i)
		} else {
			out[i] = fmt.Sprintf("T0BUREAU:C%04dXY", i)
		}
	}
	return out
}
