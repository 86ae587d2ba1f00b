package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/store"
)

const sentinelMaster = "caismaster"

// Redis Sentinel as caisbot reaches it (REDIS_SENTINEL_MASTER and the
// Sentinels in REDIS_ADDRS): a master, a replica and three Sentinels on
// loopback. The master crashes; the Sentinels promote the replica; the
// same client keeps committing, and nothing replicated before the crash
// is lost.
func TestRedisSentinelFailover(t *testing.T) {
	needRedisBinaries(t)
	start := time.Now()
	master, replica, sentinels := startSentinelGroup(t)
	// As caisbot with REDIS_SENTINEL_MASTER, the Sentinels in REDIS_ADDRS
	// and the master's password in REDIS_URL.
	cfg := store.Config{URL: "redis://:" + testPassword + "@127.0.0.1", Addrs: addrsOf(sentinels), SentinelMaster: sentinelMaster}
	t.Logf("master, replica and 3 Sentinels up in %v", time.Since(start).Round(time.Millisecond))

	// The store's contract, through the Sentinel-discovered master.
	t.Run("conformance", func(t *testing.T) {
		conformance(t, func(t *testing.T) (*store.Redis, redis.UniversalClient, string) {
			return openStore(t, cfg)
		})
	})

	s, c, _ := openStore(t, cfg)
	ctx := context.Background()
	const firm = "T0FAILOVER"
	before := commitN(t, s, firm, 3)
	// Replication is asynchronous: a write acknowledged by the master but
	// not yet on the replica is lost in a failover. WAIT makes this test
	// deterministic; README.md ("Deploying") explains the window in production.
	if n, err := c.Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT 1 = %d, %v; want the replica to have the writes", n, err)
	}

	failedAt := time.Now()
	master.kill()
	sc := client(t, sentinels[0])
	waitFor(t, 40*time.Second, "the Sentinels to promote the replica", func(ctx context.Context) error {
		addr, err := sc.Do(ctx, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", sentinelMaster).StringSlice()
		if err != nil {
			return err
		}
		if len(addr) != 2 || addr[1] != strconv.Itoa(replica.port) {
			return fmt.Errorf("Sentinel names %v as master", addr)
		}
		role, err := infoField(ctx, client(t, replica), "replication", "role")
		if err != nil || role != "master" {
			return fmt.Errorf("replica's role is %q (%v)", role, err)
		}
		return nil
	})

	// The same client, unchanged, commits on the new master. Until it has
	// switched, commits fail as ErrUnavailable (the bot says "try again");
	// retrying the identical commit is safe (see commitScript).
	next, e := change(before, "U2")
	var err error
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if err = s.Commit(ctx, slackFirm(firm), before.Version, next, e); err == nil || !errors.Is(err, dialogs.ErrUnavailable) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("commit after failover: %v", err)
	}
	t.Logf("first commit after the crash %v after it", time.Since(failedAt).Round(time.Millisecond))

	got, err := s.Load(ctx, slackFirm(firm))
	if err != nil || !reflect.DeepEqual(got, next) {
		t.Fatalf("Load after failover = %+v, %v; want %+v", got, err, next)
	}
	entries, err := s.Audit(ctx, slackFirm(firm), 0, -1)
	if err != nil || len(entries) != 4 {
		t.Fatalf("Audit after failover: %d entries, %v; want 4", len(entries), err)
	}
	if b := dialogs.VerifyChain(entries, got.Head); b != nil {
		t.Fatalf("audit chain after failover: %v", b)
	}
	t.Logf("Sentinel test total %v", time.Since(start).Round(time.Millisecond))
}

// startSentinelGroup starts a master, its replica, and three Sentinels
// watching them with a quorum of two, and waits until the Sentinels know
// each other and the replica, so that a failover can happen.
func startSentinelGroup(t *testing.T) (master, replica *redisProc, sentinels []*redisProc) {
	t.Helper()
	noDisk := append([]string{"--save", "", "--appendonly", "no", "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"}, auth...)
	master = startRedis(t, "master", false, "", noDisk...)
	replica = startRedis(t, "replica", false, "", append(noDisk, "--replicaof", "127.0.0.1", strconv.Itoa(master.port))...)
	rc := client(t, replica)
	waitFor(t, 20*time.Second, "the replica to sync", func(ctx context.Context) error {
		if st, err := infoField(ctx, rc, "replication", "master_link_status"); err != nil || st != "up" {
			return fmt.Errorf("master_link_status %q (%v)", st, err)
		}
		return nil
	})

	conf := fmt.Sprintf(`bind 127.0.0.1
sentinel monitor %[1]s 127.0.0.1 %[2]d 2
sentinel auth-pass %[1]s %[3]s
sentinel down-after-milliseconds %[1]s 1000
sentinel failover-timeout %[1]s 4000
sentinel parallel-syncs %[1]s 1`, sentinelMaster, master.port, testPassword)
	for i := range 3 {
		sentinels = append(sentinels, startRedis(t, fmt.Sprintf("sentinel-%d", i+1), false, conf, "--sentinel"))
	}
	for _, s := range sentinels {
		sc := client(t, s)
		waitFor(t, 30*time.Second, s.name+" to see the other Sentinels and the replica", func(ctx context.Context) error {
			others, err := sc.Do(ctx, "SENTINEL", "SENTINELS", sentinelMaster).Slice()
			if err != nil || len(others) != 2 {
				return fmt.Errorf("knows %d other Sentinels (%v)", len(others), err)
			}
			replicas, err := sc.Do(ctx, "SENTINEL", "REPLICAS", sentinelMaster).Slice()
			if err != nil || len(replicas) != 1 {
				return fmt.Errorf("knows %d replicas (%v)", len(replicas), err)
			}
			return nil
		})
	}
	return master, replica, sentinels
}
