package concurrency

import (
	"context"
	"testing"

	"github.com/llmperf/workbook/lessons/concurrency"
	lessons "github.com/llmperf/workbook/lessons/concurrency"
	"github.com/llmperf/workbook/lessons/concurrency/concurrencytest"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// The library versions of the first exercise, for comparison: golang.org/x/sync/semaphore.Weighted (weighted,
// FIFO-fair, panics on over-release) and errgroup.Group.SetLimit (a bounded "go" with first-error collection).

// weighted adapts semaphore.Weighted to the week's Semaphore interface, one unit per holder.
type weighted struct{ w *semaphore.Weighted }

func newWeighted(n int) lessons.Semaphore { return weighted{semaphore.NewWeighted(int64(n))} }

func (s weighted) Acquire(ctx context.Context) error { return s.w.Acquire(ctx, 1) }
func (s weighted) TryAcquire() bool                  { return s.w.TryAcquire(1) }
func (s weighted) Release()                          { s.w.Release(1) }

// TestWeightedPassesTheSuite shows the suite asks nothing of the channel semaphore that the library's does not
// also do.
func TestWeightedPassesTheSuite(t *testing.T) {
	impl := Impl()
	impl.NewSemaphore = newWeighted
	concurrencytest.Run(t, impl)
}

// TestRateLimiterPassesTheSuite: the exercise's limiter built on golang.org/x/time/rate, as the notebook teaches it,
// passes the same suite as Limiter.
func TestRateLimiterPassesTheSuite(t *testing.T) {
	impl := Impl()
	impl.NewLimiter = func(rpm, tpm, maxTokens int) (lessons.Limiter, error) {
		l, err := NewRateLimiter(rpm, tpm, maxTokens)
		if err != nil {
			return nil, err
		}
		return l, nil
	}
	concurrencytest.Run(t, impl)
}

// runChan, runWeighted and runErrgroup run jobs at most k at a time, each their own way.
func runChan(k int, jobs []func()) {
	sem := NewSemaphore(k)
	done := make(chan struct{}, len(jobs))
	for _, job := range jobs {
		sem.Acquire(context.Background())
		go func() {
			defer func() { sem.Release(); done <- struct{}{} }()
			job()
		}()
	}
	for range jobs {
		<-done
	}
}

func runWeighted(k int, jobs []func()) {
	sem := semaphore.NewWeighted(int64(k))
	ctx := context.Background()
	for _, job := range jobs {
		sem.Acquire(ctx, 1)
		go func() {
			defer sem.Release(1)
			job()
		}()
	}
	sem.Acquire(ctx, int64(k)) // all slots back: every job is done
}

func runErrgroup(k int, jobs []func()) {
	var g errgroup.Group
	g.SetLimit(k)
	for _, job := range jobs {
		g.Go(func() error { job(); return nil })
	}
	g.Wait()
}

func TestLibraryVersionsRunEveryJob(t *testing.T) {
	for name, run := range map[string]func(int, []func()){"chan": runChan, "weighted": runWeighted, "errgroup": runErrgroup} {
		var g concurrency.Gauge
		jobs := make([]func(), 200)
		for i := range jobs {
			jobs[i] = func() { g.Enter(); g.Leave() }
		}
		run(4, jobs)
		if g.Entered() != len(jobs) || g.Peak() > 4 {
			t.Errorf("%s: ran %d of %d jobs, peak %d (limit 4)", name, g.Entered(), len(jobs), g.Peak())
		}
	}
}
