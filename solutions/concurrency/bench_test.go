package concurrency

import (
	"context"
	"math"
	"testing"
	"time"
)

// BenchmarkSemaphores runs the same 1,000 tiny jobs at most 8 at a time with the channel semaphore,
// x/sync/semaphore.Weighted and errgroup.SetLimit, and reports each one's cost per job and the libraries' cost
// relative to the channel (ratio > 1: slower than the channel).
func BenchmarkSemaphores(b *testing.B) {
	const n, k = 1000, 8
	jobs := make([]func(), n)
	var sink int
	for i := range jobs {
		jobs[i] = func() { sink += 0 }
	}
	var tChan, tWeighted, tErrgroup time.Duration
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range []struct {
			run func(int, []func())
			t   *time.Duration
		}{{runChan, &tChan}, {runWeighted, &tWeighted}, {runErrgroup, &tErrgroup}} {
			start := time.Now()
			r.run(k, jobs)
			*r.t += time.Since(start)
		}
	}
	perJob := func(d time.Duration) float64 { return float64(d) / float64(b.N*n) }
	b.ReportMetric(perJob(tChan), "chan-ns/job")
	b.ReportMetric(perJob(tWeighted), "weighted-ns/job")
	b.ReportMetric(perJob(tErrgroup), "errgroup-ns/job")
	b.ReportMetric(float64(tWeighted)/float64(tChan), "weighted/chan")
	b.ReportMetric(float64(tErrgroup)/float64(tChan), "errgroup/chan")
}

// BenchmarkBatchRealTime runs 1,000 calls of 50 ms each at limit 50 in real time. The ideal is ⌈1000/50⌉·50ms =
// 1 s; the report's ratio-to-ideal says how close Batch gets (1.00 is perfect; the course's target is ≤ 1.05).
// Run it alone: go test ./solutions/concurrency -run XXX -bench BatchRealTime -benchtime 3x
func BenchmarkBatchRealTime(b *testing.B) {
	const n, k, lat = 1000, 50, 50 * time.Millisecond
	jobs := make([]func(context.Context) (int, error), n)
	for i := range jobs {
		jobs[i] = func(ctx context.Context) (int, error) {
			t := time.NewTimer(lat)
			defer t.Stop()
			select {
			case <-t.C:
				return i, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
	}
	ideal := time.Duration(math.Ceil(float64(n)/k)) * lat
	worst := 0.0
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		res, err := Batch(context.Background(), k, FirstError, jobs)
		ratio := float64(time.Since(start)) / float64(ideal)
		if err != nil || len(res) != n || res[n-1].Value != n-1 {
			b.Fatalf("batch failed: %v", err)
		}
		worst = max(worst, ratio)
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(ideal), "ratio-to-ideal")
	b.ReportMetric(worst, "worst-ratio")
}

// BenchmarkLimiters compares the cost of one Wait and Settle, with room in both buckets, in Limiter and in the
// exercise's RateLimiter on golang.org/x/time/rate (ratio > 1: Limiter is slower). Either is nanoseconds next to
// the request it lets through.
func BenchmarkLimiters(b *testing.B) {
	own, _ := NewLimiter(1e9, 1e9, 1e6)
	lib, _ := NewRateLimiter(1e9, 1e9, 1e6)
	ctx := context.Background()
	var tOwn, tLib time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		own.Wait(ctx, 100)
		own.Settle(100, 80)
		tOwn += time.Since(start)
		start = time.Now()
		lib.Wait(ctx, 100)
		lib.Settle(100, 80)
		tLib += time.Since(start)
	}
	b.ReportMetric(float64(tOwn)/float64(b.N), "limiter-ns/call")
	b.ReportMetric(float64(tLib)/float64(b.N), "ratelimiter-ns/call")
	b.ReportMetric(float64(tOwn)/float64(tLib), "limiter/ratelimiter")
}
