package concurrencytest_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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
	"limiter ignores ctx": {"limiter", "select on ctx.Done()", func() concurrency.Impl {
		i := sol.Impl()
		i.NewLimiter = wrapLimiter(func(l *sol.Limiter, ctx context.Context, est int) error {
			return l.Wait(context.Background(), est)
		})
		return i
	}},
	"limiter waits into the deadline": {"limiter", "want an error at once", func() concurrency.Impl {
		i := sol.Impl()
		i.NewLimiter = wrapLimiter(func(l *sol.Limiter, ctx context.Context, est int) error {
			// Forget the deadline; give up only when it passes.
			c, cancel := context.WithCancel(context.WithoutCancel(ctx))
			defer cancel()
			stop := context.AfterFunc(ctx, cancel)
			defer stop()
			return l.Wait(c, est)
		})
		return i
	}},
	"limiter keeps a cancelled reservation": {"limiter", "give back what it reserved", func() concurrency.Impl {
		i := sol.Impl()
		i.NewLimiter = wrapLimiter(func(l *sol.Limiter, ctx context.Context, est int) error {
			done := make(chan error, 1)
			go func() { done <- l.Wait(context.Background(), est) }()
			select {
			case err := <-done:
				return err
			case <-ctx.Done():
				return ctx.Err() // the goroutine still takes the tokens
			}
		})
		return i
	}},
	"retry backoff never grows": {"retry", "must grow", func() concurrency.Impl {
		i := sol.Impl()
		i.Retry = naiveRetry{constant: true, deadlineAware: true}.retry
		return i
	}},
	"retry in lockstep": {"retry", "lockstep", func() concurrency.Impl {
		i := sol.Impl()
		i.Transport = func(base http.RoundTripper) http.RoundTripper { return &recordCtx{base} }
		i.Retry = naiveRetry{seeded: true, deadlineAware: true, ownHeaders: true}.retry
		return i
	}},
	"retry ignores retry-after-ms": {"retry", "retry-after-ms", func() concurrency.Impl {
		i := sol.Impl()
		i.Transport = func(base http.RoundTripper) http.RoundTripper {
			return &sol.Transport{Base: dropHeader{base, "retry-after-ms"}}
		}
		return i
	}},
	"retry gives up on 408": {"retry", "408 ×3 then 200", func() concurrency.Impl {
		i := sol.Impl()
		i.Retry = func(ctx context.Context, b concurrency.Backoff, call func(context.Context) error) error {
			return sol.Retry(ctx, b, func(ctx context.Context) error {
				err := call(ctx)
				if sol.StatusCode(err) == http.StatusRequestTimeout {
					return fmt.Errorf("timed out: %v", err) // no longer an API error: final
				}
				return err
			})
		}
		return i
	}},
	"retry shares headers between calls": {"retry", "another call's retry-after", func() concurrency.Impl {
		i := sol.Impl()
		shared := &lastHeader{}
		i.Transport = func(base http.RoundTripper) http.RoundTripper { return &recordLast{base, shared} }
		i.Retry = naiveRetry{deadlineAware: true, headers: shared}.retry
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

// wrapLimiter is the solution's limiter with Wait replaced by wait.
func wrapLimiter(wait func(l *sol.Limiter, ctx context.Context, est int) error) concurrencytest.NewLimiterFunc {
	return func(rpm, tpm, maxTokens int) (concurrency.Limiter, error) {
		l, err := sol.NewLimiter(rpm, tpm, maxTokens)
		return &customWait{l, wait}, err
	}
}

type customWait struct {
	*sol.Limiter
	wait func(l *sol.Limiter, ctx context.Context, est int) error
}

func (c *customWait) Wait(ctx context.Context, est int) error { return c.wait(c.Limiter, ctx, est) }

// dropHeader removes one header from every response.
type dropHeader struct {
	base http.RoundTripper
	key  string
}

func (d dropHeader) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := d.base.RoundTrip(req)
	if resp != nil {
		resp.Header.Del(d.key)
	}
	return resp, err
}

// lastHeader is one header shared by every call: the classic mistake of a Transport that keeps "the last
// response's header" in a field.
type lastHeader struct {
	mu sync.Mutex
	h  http.Header
}

type recordLast struct {
	base http.RoundTripper
	last *lastHeader
}

func (r *recordLast) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if resp != nil {
		r.last.mu.Lock()
		r.last.h = resp.Header.Clone()
		r.last.mu.Unlock()
	}
	return resp, err
}

// recordCtx records each response's header in the holder its request's context carries.
type recordCtx struct{ base http.RoundTripper }

type holderKey struct{}

func (r *recordCtx) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if h, ok := req.Context().Value(holderKey{}).(*lastHeader); ok && resp != nil {
		h.mu.Lock()
		h.h = resp.Header.Clone()
		h.mu.Unlock()
	}
	return resp, err
}

// naiveRetry is a retry loop with configurable mistakes.
type naiveRetry struct {
	retryAll, noJitter, deadlineAware bool
	constant                          bool        // the bound never grows
	seeded                            bool        // every call seeds its generator with b.Seed alone
	headers                           *lastHeader // read the server's wait from a header shared by every call
	ownHeaders                        bool        // read the server's wait from each attempt's own header (recordCtx)
}

func (n naiveRetry) retry(ctx context.Context, b concurrency.Backoff, call func(context.Context) error) error {
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	if n.seeded {
		rng = rand.New(rand.NewPCG(b.Seed, b.Seed))
	}
	for attempt := 1; ; attempt++ {
		own := &lastHeader{}
		err := call(context.WithValue(ctx, holderKey{}, own))
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
		if n.constant {
			wait = b.Base
		}
		if !n.noJitter && wait > 0 {
			wait = time.Duration(rng.Int64N(int64(wait)))
		}
		if n.ownHeaders {
			n.headers = own
		}
		if n.headers != nil {
			n.headers.mu.Lock()
			wait = max(wait, sol.ServerWait(n.headers.h))
			n.headers.mu.Unlock()
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
