package concurrencytest_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/concurrency"
	"github.com/llmperf/workbook/lessons/concurrency/concurrencytest"
	sol "github.com/llmperf/workbook/solutions/concurrency"
	"golang.org/x/time/rate"
)

// The suite must fail implementations that are subtly wrong. Each case below breaks one thing in an otherwise
// correct implementation; TestSuiteRejects runs the suite on it in a child process (a failing suite cannot be
// observed from inside the same test) and checks that the right exercise fails with the right complaint.

type broken struct {
	exercise string // the subtest that must fail
	want     string // a phrase its failure must contain
	impl     func() concurrency.Impl
}

var brokenImpls = map[string]broken{
	"semaphore ignores ctx": {"semaphore", "deadlock", func() concurrency.Impl {
		i := sol.Impl()
		i.NewSemaphore = func(n int) concurrency.Semaphore { return &noCtxSem{sol.NewSemaphore(n)} }
		return i
	}},
	"semaphore races a done ctx": {"semaphore", "cancelled context succeeded", func() concurrency.Impl {
		i := sol.Impl()
		i.NewSemaphore = func(n int) concurrency.Semaphore { return &raceSem{make(chan struct{}, n)} }
		return i
	}},
	"semaphore off by one": {"semaphore", "peak holders", func() concurrency.Impl {
		i := sol.Impl()
		i.NewSemaphore = func(n int) concurrency.Semaphore { return sol.NewSemaphore(n + 1) }
		return i
	}},
	"batch sequential": {"batch", "⌈N/k⌉·L", func() concurrency.Impl {
		i := sol.Impl()
		i.Batch = func(ctx context.Context, k int, m concurrency.Mode, jobs []func(context.Context) (string, error)) ([]concurrency.Result[string], error) {
			return sol.Batch(ctx, 1, m, jobs)
		}
		return i
	}},
	"batch unbounded": {"batch", "peak concurrency", func() concurrency.Impl {
		i := sol.Impl()
		i.Batch = func(ctx context.Context, k int, m concurrency.Mode, jobs []func(context.Context) (string, error)) ([]concurrency.Result[string], error) {
			return sol.Batch(ctx, max(k, len(jobs)), m, jobs)
		}
		return i
	}},
	"batch in finishing order": {"batch", "results go at their job's position", func() concurrency.Impl {
		i := sol.Impl()
		i.Batch = finishingOrder
		return i
	}},
	"batch returns a sibling's cancellation": {"batch", "want the first failure", func() concurrency.Impl {
		i := sol.Impl()
		i.Batch = lowestIndexError
		return i
	}},
	"limiter keeps unused tokens": {"limiter", "give back", func() concurrency.Impl {
		i := sol.Impl()
		i.NewLimiter = settleOnly(func(est, act int) bool { return act > est })
		return i
	}},
	"limiter ignores extra tokens": {"limiter", "charge the tokens", func() concurrency.Impl {
		i := sol.Impl()
		i.NewLimiter = settleOnly(func(est, act int) bool { return act < est })
		return i
	}},
	"limiter bursts requests": {"limiter", "one a second", func() concurrency.Impl {
		i := sol.Impl()
		i.NewLimiter = func(rpm, tpm, maxTokens int) (concurrency.Limiter, error) {
			l, err := sol.NewLimiter(1_000_000, tpm, maxTokens)
			return &burstyRequests{l, rate.NewLimiter(rate.Limit(float64(rpm)/60), rpm)}, err
		}
		return i
	}},
	"retry without the headers": {"retry", "the server's wait", func() concurrency.Impl {
		i := sol.Impl()
		i.Transport = func(base http.RoundTripper) http.RoundTripper { return base }
		return i
	}},
	"retry retries everything": {"retry", "try once", func() concurrency.Impl {
		i := sol.Impl()
		i.Retry = naiveRetry{retryAll: true}.retry
		return i
	}},
	"retry sleeps into the deadline": {"retry", "return at once", func() concurrency.Impl {
		i := sol.Impl()
		i.Retry = naiveRetry{}.retry
		return i
	}},
	"retry without jitter": {"retry", "full jitter", func() concurrency.Impl {
		i := sol.Impl()
		i.Retry = naiveRetry{noJitter: true, deadlineAware: true}.retry
		return i
	}},
	"first leaks losers": {"cancel", "goroutines leaked", func() concurrency.Impl {
		i := sol.Impl()
		i.First = leakyFirst
		return i
	}},
	"first does not wait": {"cancel", "still running", func() concurrency.Impl {
		i := sol.Impl()
		i.First = impatientFirst
		return i
	}},
}

func TestSuiteRejects(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite once per broken implementation")
	}
	for name, b := range brokenImpls {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenTarget$/^"+b.exercise+"$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), "CONCURRENCY_BROKEN="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the %s suite passed a broken implementation (%s):\n%s", b.exercise, name, out)
			}
			if !strings.Contains(string(out), "--- FAIL: TestBrokenTarget/"+b.exercise) || !strings.Contains(string(out), b.want) {
				t.Errorf("the %s suite failed, but not with %q:\n%s", b.exercise, b.want, out)
			}
			if strings.Contains(string(out), "panic:") {
				t.Errorf("the suite crashed instead of failing cleanly:\n%s", out)
			}
		})
	}
}

// TestBrokenTarget runs the suite on the broken implementation named by $CONCURRENCY_BROKEN (for
// TestSuiteRejects); it does nothing otherwise.
func TestBrokenTarget(t *testing.T) {
	name := os.Getenv("CONCURRENCY_BROKEN")
	if name == "" {
		t.Skip("run by TestSuiteRejects")
	}
	concurrencytest.Run(t, brokenImpls[name].impl())
}

// noCtxSem waits for a slot without looking at the context.
type noCtxSem struct{ *sol.Semaphore }

func (s *noCtxSem) Acquire(ctx context.Context) error {
	for !s.TryAcquire() {
		time.Sleep(0) // spin politely; in a bubble this blocks for ever once time cannot move
		<-make(chan struct{})
	}
	return nil
}

// raceSem selects between a free slot and a done context, so a done context wins only half the time.
type raceSem struct{ ch chan struct{} }

func (s *raceSem) Acquire(ctx context.Context) error {
	select {
	case s.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (s *raceSem) TryAcquire() bool {
	select {
	case s.ch <- struct{}{}:
		return true
	default:
		return false
	}
}
func (s *raceSem) Release() {
	select {
	case <-s.ch:
	default:
		panic("release without acquire")
	}
}

// finishingOrder appends results as jobs finish.
func finishingOrder(ctx context.Context, k int, m concurrency.Mode, jobs []func(context.Context) (string, error)) ([]concurrency.Result[string], error) {
	if k < 1 {
		return nil, errors.New("bad k")
	}
	var mu sync.Mutex
	var out []concurrency.Result[string]
	wrapped := make([]func(context.Context) (string, error), len(jobs))
	for i, j := range jobs {
		wrapped[i] = func(ctx context.Context) (string, error) {
			v, err := j(ctx)
			mu.Lock()
			out = append(out, concurrency.Result[string]{Value: v, Err: err})
			mu.Unlock()
			return v, err
		}
	}
	_, err := sol.Batch(ctx, k, m, wrapped)
	return out, err
}

// lowestIndexError cancels on failure but reports the error of the lowest-numbered failed job.
func lowestIndexError(ctx context.Context, k int, m concurrency.Mode, jobs []func(context.Context) (string, error)) ([]concurrency.Result[string], error) {
	if m == concurrency.CollectAll {
		return sol.Batch(ctx, k, m, jobs)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wrapped := make([]func(context.Context) (string, error), len(jobs))
	for i, j := range jobs {
		wrapped[i] = func(ctx context.Context) (string, error) {
			v, err := j(ctx)
			if err != nil {
				cancel()
			}
			return v, err
		}
	}
	res, err := sol.Batch(ctx, k, concurrency.CollectAll, wrapped)
	if err != nil {
		return nil, err
	}
	for _, r := range res {
		if r.Err != nil {
			return nil, r.Err
		}
	}
	return res, nil
}

// settleOnly passes Settle through only when keep says so.
func settleOnly(keep func(est, act int) bool) concurrencytest.NewLimiterFunc {
	return func(rpm, tpm, maxTokens int) (concurrency.Limiter, error) {
		l, err := sol.NewLimiter(rpm, tpm, maxTokens)
		return &partialSettle{l, keep}, err
	}
}

type partialSettle struct {
	*sol.Limiter
	keep func(est, act int) bool
}

func (p *partialSettle) Settle(est, act int) {
	if p.keep(est, act) {
		p.Limiter.Settle(est, act)
	}
}

// burstyRequests lets a whole minute of requests through at once.
type burstyRequests struct {
	*sol.Limiter
	requests *rate.Limiter
}

func (b *burstyRequests) Wait(ctx context.Context, est int) error {
	if err := b.Limiter.Wait(ctx, est); err != nil {
		return err
	}
	return b.requests.Wait(ctx)
}

// naiveRetry is a retry loop with configurable mistakes.
type naiveRetry struct{ retryAll, noJitter, deadlineAware bool }

func (n naiveRetry) retry(ctx context.Context, b concurrency.Backoff, call func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		if !n.retryAll && !sol.Retryable(err) {
			return err
		}
		if b.MaxAttempts > 0 && attempt >= b.MaxAttempts {
			return err
		}
		wait := min(b.Cap, b.Base<<(attempt-1))
		if !n.noJitter {
			wait = wait / 2
		}
		if n.deadlineAware {
			if d, ok := ctx.Deadline(); ok && !time.Now().Add(wait).Before(d) {
				return err
			}
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		}
	}
}

// leakyFirst races every call on an unbuffered channel and reads only the winner.
func leakyFirst(ctx context.Context, hedge time.Duration, calls []func(context.Context) (string, error)) (string, error) {
	if len(calls) == 0 {
		return "", errors.New("no calls")
	}
	if hedge > 0 || len(calls) == 1 {
		return sol.First(ctx, hedge, calls...)
	}
	ch := make(chan string)
	for _, c := range calls {
		go func() {
			v, _ := c(ctx)
			ch <- v
		}()
	}
	return <-ch, nil
}

// impatientFirst starts every call, cancels the losers when one answers, but does not wait for them.
func impatientFirst(ctx context.Context, hedge time.Duration, calls []func(context.Context) (string, error)) (string, error) {
	if len(calls) == 0 || hedge > 0 {
		return sol.First(ctx, hedge, calls...)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan string, len(calls))
	for _, c := range calls {
		go func() {
			v, _ := c(ctx)
			ch <- v
		}()
	}
	return <-ch, nil
}
