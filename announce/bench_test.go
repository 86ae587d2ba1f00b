package announce

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// BenchmarkAllDueAtOnce: 10,000 subscribed channels in 100 workspaces
// (and 100,000 in 1,000),
// every one owed its 7-day reminder at 09:00, against a platform that
// enforces the per-channel and per-workspace limits and answers two 429s
// of its own in each workspace. The limits are scaled so a run takes
// seconds: Slack's one post per second per workspace becomes 20/s or
// 100/s, and its smallest Retry-After (1 s) is scaled alike; the channel
// limit stays 1 s. Reported: the run's time, the least the limits allow
// (the busiest workspace's (posts-1) spacings plus its Retry-After
// waits), their ratio, and the peak live heap during the run. At 4/s
// (nearer Slack's real one) planning outruns posting, as in production:
// that case shows what the run holds while its workers wait. cpu-µs/post
// is the whole process's CPU (fake platform included) per post: where
// two cores cannot keep up with the limits, it is what sets the time.
func BenchmarkAllDueAtOnce(b *testing.B) {
	for _, sc := range []benchScale{{100, 100}, {1000, 100}} {
		for _, perSecond := range []int{20, 100, 4} {
			if perSecond == 4 && sc.workspaces < 1000 {
				continue // few workspaces hold little however slow they send
			}
			b.Run(fmt.Sprintf("channels=%d/workspace=%d/s", sc.workspaces*sc.channels, perSecond), func(b *testing.B) {
				for range b.N {
					benchAllDue(b, sc, time.Second/time.Duration(perSecond))
				}
			})
		}
	}
}

// benchScale is how many workspaces, and subscribed channels in each.
type benchScale struct{ workspaces, channels int }

func benchAllDue(b *testing.B, sc benchScale, gap time.Duration) {
	b.StopTimer()
	r := newRig(b)
	pprof.Do(context.Background(), pprof.Labels("phase", "seed"), func(context.Context) { seedBench(b, r, sc) })
	api := &limitedAPI{wsGap: gap, chGap: time.Second, retryAfter: gap,
		inject: map[int]bool{20: true, 60: true}, workspaces: map[string]*fakeWorkspace{}}
	s := r.scheduler(api, func(c *Config) {
		c.Limits = Limits{Channel: time.Second, Workspace: gap}
	})
	runtime.GC()
	peak, peakRSS, stop := sampleHeap()
	b.StartTimer()
	start, cpu := time.Now(), cpuTime()
	// The labels let a CPU profile of the benchmark leave seeding out:
	// go tool pprof -tagfocus phase=run. The runtime's own work (the
	// GC's workers, the scheduler) carries none: -tagignore phase=.
	var err error
	pprof.Do(context.Background(), pprof.Labels("phase", "run"), func(ctx context.Context) {
		err = s.RunOnce(ctx, ny("2027-05-29 09:00"))
	})
	if err != nil {
		b.Fatal(err)
	}
	took, cpu := time.Since(start), cpuTime()-cpu
	b.StopTimer()
	stop()
	posted, twice := api.counts()
	if want := sc.workspaces * sc.channels; posted != want || twice != 0 || s.Stats().Sent != int64(want) {
		b.Fatalf("%d occurrences posted, %d twice, stats %+v; want %d once each", posted, twice, s.Stats(), want)
	}
	ideal := time.Duration(0)
	for _, w := range api.workspaces {
		ideal = max(ideal, time.Duration(w.accepted-1)*gap-api.wsTolerance()+time.Duration(w.injected)*api.retryAfter)
	}
	b.ReportMetric(took.Seconds(), "s/run")
	b.ReportMetric(ideal.Seconds(), "least-s")
	b.ReportMetric(took.Seconds()/ideal.Seconds(), "ratio")
	b.ReportMetric(float64(*peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(*peakRSS)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(cpu.Microseconds())/float64(posted), "cpu-µs/post")
	b.ReportMetric(float64(api.injected.Load()), "injected-429s")
	b.ReportMetric(float64(api.violations.Load()), "earned-429s")
}

// seedBench stores the firms: one per channel ("channel" scope), each
// with a June 5 target and its channel subscribed on May 25, so the
// 7-day reminder is the only one owed (nothing missed to record).
func seedBench(b testing.TB, r *rig, sc benchScale) {
	ctx := context.Background()
	sub := ny("2027-05-25 12:00").UTC()
	firms := make(chan string)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for firm := range firms {
				ch := firm[len(firm)-7:]
				p := dialogs.Progress{Version: 1, Targets: map[string]string{"certify_self": "2027-06-05"},
					Channels: map[string]dialogs.Subscription{ch: {User: admin, At: sub}}}
				e := dialogs.Entry{At: sub, User: admin, Action: dialogs.ActAnnounce, Detail: "channel " + ch, Version: 1}
				e.Seal(0, "")
				p.Seq, p.Head = e.Seq, e.Hash
				if err := r.store.Commit(ctx, slackFirm(firm), 0, p, e); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for w := range sc.workspaces {
		for c := range sc.channels {
			firms <- fmt.Sprintf("T%04d:C%06d", w, w*sc.channels+c)
		}
	}
	close(firms)
	wg.Wait()
}

// sampleHeap records the largest heap (objects, live or not yet swept)
// and the largest resident set seen every 50 ms until stop. The resident
// set is the whole test process's: seeding's garbage included.
func sampleHeap() (peak, peakRSS *uint64, stop func()) {
	peak, peakRSS = new(uint64), new(uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	wg.Go(func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			*peakRSS = max(*peakRSS, rss())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return peak, peakRSS, func() { close(done); wg.Wait() }
}

// rss is the process's resident set in bytes (Linux; 0 elsewhere).
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}
