package concurrencytest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/concurrency"
	"github.com/llmperf/workbook/lessons/suite"
)

// BatchFunc is the signature of Impl.Batch.
type BatchFunc = func(ctx context.Context, k int, mode concurrency.Mode, jobs []func(context.Context) (string, error)) ([]concurrency.Result[string], error)

// sleepJob waits d (or until ctx ends, returning its error) and answers "job i".
func sleepJob(i int, d time.Duration, g *concurrency.Gauge) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		g.Enter()
		defer g.Leave()
		select {
		case <-time.After(d):
			return fmt.Sprint("job ", i), nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

func testBatch(t *testing.T, batch BatchFunc) {
	// The first call, in the test's goroutine, so an unfinished stub stops here with its hint.
	var g0 concurrency.Gauge
	got, err := batch(context.Background(), 2, concurrency.FirstError, []func(context.Context) (string, error){
		sleepJob(0, 0, &g0), sleepJob(1, 0, &g0), sleepJob(2, 0, &g0)})
	if err != nil || len(got) != 3 || got[0].Value != "job 0" || got[2].Value != "job 2" {
		t.Fatalf("batch of 3 instant jobs returned %v, %v; want [job 0, job 1, job 2] and no error "+
			"(results go at their job's position)", got, err)
	}

	t.Run("bad input", func(t *testing.T) {
		for _, k := range []int{0, -1} {
			var g concurrency.Gauge
			_, err := batch(context.Background(), k, concurrency.CollectAll, []func(context.Context) (string, error){sleepJob(0, 0, &g)})
			if err == nil {
				t.Errorf("k = %d: no error; a limit below 1 can never run anything and must say so", k)
			}
			if g.Entered() != 0 {
				t.Errorf("k = %d: %d jobs ran despite the error", k, g.Entered())
			}
		}
		for _, mode := range []concurrency.Mode{concurrency.FirstError, concurrency.CollectAll} {
			res, err := batch(context.Background(), 3, mode, nil)
			if err != nil || len(res) != 0 {
				t.Errorf("%v: an empty batch returned %v, %v; want no results and no error", mode, res, err)
			}
		}
	})

	t.Run("order and time", func(t *testing.T) {
		for _, tc := range []struct{ n, k int }{{23, 5}, {10, 10}, {7, 1}, {4, 9}} {
			for _, mode := range []concurrency.Mode{concurrency.FirstError, concurrency.CollectAll} {
				suite.Bubble(t, func(t *testing.T) {
					const lat = 100 * time.Millisecond
					var g concurrency.Gauge
					jobs := make([]func(context.Context) (string, error), tc.n)
					for i := range jobs {
						jobs[i] = sleepJob(i, lat, &g)
					}
					start := time.Now()
					res, err := batch(context.Background(), tc.k, mode, jobs)
					took := time.Since(start)
					if err != nil {
						t.Fatalf("N=%d k=%d %v: %v", tc.n, tc.k, mode, err)
					}
					checkInOrder(t, res, tc.n)
					if p := g.Peak(); p > tc.k || p != min(tc.k, tc.n) {
						t.Errorf("N=%d k=%d %v: peak concurrency %d, want min(k, N) = %d", tc.n, tc.k, mode, p, min(tc.k, tc.n))
					}
					want := time.Duration((tc.n+tc.k-1)/tc.k) * lat
					if took != want {
						t.Errorf("N=%d k=%d %v: took %v of virtual time, want ⌈N/k⌉·L = %v", tc.n, tc.k, mode, took, want)
					}
				})
			}
		}
	})

	t.Run("order when later jobs finish first", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			const n = 12
			var g concurrency.Gauge
			jobs := make([]func(context.Context) (string, error), n)
			for i := range jobs {
				jobs[i] = sleepJob(i, time.Duration(n-i)*time.Second, &g) // the last job is the quickest
			}
			res, err := batch(context.Background(), 4, concurrency.CollectAll, jobs)
			if err != nil {
				t.Fatal(err)
			}
			checkInOrder(t, res, n)
		})
	})

	t.Run("first error cancels the rest", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			boom := errors.New("boom")
			var g concurrency.Gauge
			var cancelled concurrency.Gauge
			const n, k = 20, 4
			jobs := make([]func(context.Context) (string, error), n)
			for i := range jobs {
				jobs[i] = func(ctx context.Context) (string, error) {
					g.Enter()
					defer g.Leave()
					if i == 2 {
						time.Sleep(150 * time.Millisecond)
						return "", fmt.Errorf("job 2: %w", boom)
					}
					select {
					case <-time.After(time.Second):
						return fmt.Sprint("job ", i), nil
					case <-ctx.Done():
						cancelled.Enter()
						return "", ctx.Err()
					}
				}
			}
			start := time.Now()
			_, err := batch(context.Background(), k, concurrency.FirstError, jobs)
			took := time.Since(start)
			if !errors.Is(err, boom) {
				t.Fatalf("returned error %v, want the first failure (job 2's boom), not a sibling's cancellation", err)
			}
			if took != 150*time.Millisecond {
				t.Errorf("returned after %v of virtual time, want 150ms: when job 2 fails the others must be cancelled "+
					"(and waited for), not left to finish", took)
			}
			if s := g.Entered(); s != k {
				t.Errorf("%d jobs started, want %d: no job may start after the first error", s, k)
			}
			if c := cancelled.Entered(); c != k-1 {
				t.Errorf("%d running jobs saw their context cancelled, want %d", c, k-1)
			}
			if g.Now() != 0 {
				t.Errorf("%d jobs still running when the batch returned: wait for them", g.Now())
			}
		})
	})

	t.Run("collect all keeps every result and error", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			const n = 10
			errs := make([]error, n)
			var g concurrency.Gauge
			jobs := make([]func(context.Context) (string, error), n)
			for i := range jobs {
				if i%3 == 1 {
					errs[i] = fmt.Errorf("job %d failed", i)
				}
				jobs[i] = func(ctx context.Context) (string, error) {
					g.Enter()
					defer g.Leave()
					time.Sleep(time.Duration(1+i%4) * 100 * time.Millisecond)
					if errs[i] != nil {
						return "", errs[i]
					}
					return fmt.Sprint("job ", i), nil
				}
			}
			res, err := batch(context.Background(), 3, concurrency.CollectAll, jobs)
			if err != nil {
				t.Fatalf("collect-all returned error %v; each job's error belongs in its own Result", err)
			}
			if len(res) != n {
				t.Fatalf("%d results for %d jobs", len(res), n)
			}
			if g.Entered() != n {
				t.Errorf("%d of %d jobs ran: collect-all runs every job", g.Entered(), n)
			}
			for i, r := range res {
				switch {
				case errs[i] != nil && !errors.Is(r.Err, errs[i]):
					t.Errorf("result %d: error %v, want %v", i, r.Err, errs[i])
				case errs[i] == nil && (r.Err != nil || r.Value != fmt.Sprint("job ", i)):
					t.Errorf("result %d: %q, %v; want %q, nil", i, r.Value, r.Err, fmt.Sprint("job ", i))
				}
			}
		})
	})

	t.Run("cancelled batch loses nothing", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			const n, k = 10, 2
			var g concurrency.Gauge
			jobs := make([]func(context.Context) (string, error), n)
			for i := range jobs {
				jobs[i] = sleepJob(i, 100*time.Millisecond, &g)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
			defer cancel()
			res, _ := batch(ctx, k, concurrency.CollectAll, jobs)
			if len(res) != n {
				t.Fatalf("%d results for %d jobs", len(res), n)
			}
			for i, r := range res {
				if r.Err == nil && r.Value != fmt.Sprint("job ", i) {
					t.Errorf("result %d is empty with no error: a job that did not run must say why (the context's error)", i)
				}
			}
			for i := range 4 {
				if res[i].Err != nil {
					t.Errorf("result %d: %v; jobs 0–3 finished before the deadline", i, res[i].Err)
				}
			}
			for i := 4; i < n; i++ {
				if !errors.Is(res[i].Err, context.DeadlineExceeded) {
					t.Errorf("result %d: %q, %v; want context.DeadlineExceeded", i, res[i].Value, res[i].Err)
				}
			}
			if s := g.Entered(); s > 6 {
				t.Errorf("%d jobs started; after the deadline no new job may start (want at most 6)", s)
			}
		})
	})
}

// checkInOrder checks that res holds "job i" at position i.
func checkInOrder(t *testing.T, res []concurrency.Result[string], n int) {
	t.Helper()
	if len(res) != n {
		t.Fatalf("%d results for %d jobs", len(res), n)
	}
	for i, r := range res {
		if want := fmt.Sprint("job ", i); r.Value != want || r.Err != nil {
			t.Errorf("result %d = %q, %v; want %q: results go at their job's position", i, r.Value, r.Err, want)
			return
		}
	}
}
