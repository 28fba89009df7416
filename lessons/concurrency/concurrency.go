// Package concurrency is week 4's contract and suite: fast without getting banned.
//
// Sequential calls to an LLM API waste minutes; unbounded fan-out gets 429s. The week's exercises reach the
// throughput a rate-limited API allows and stay inside it, surviving failures:
//
//   - semaphore: a counting semaphore on a channel (next to x/sync/semaphore and errgroup.SetLimit);
//   - batch: run jobs at most k at a time, results in input order, first-error or collect-all;
//   - limiter: requests per minute and tokens per minute on golang.org/x/time/rate, estimate then reconcile;
//   - retry: exponential backoff with full jitter that honours retry-after and x-ratelimit-reset-*;
//   - cancel: the first answer wins, every other call is cancelled and nothing is left running.
//
// concurrencytest.Run checks an implementation of all five. Everything that waits runs inside testing/synctest
// bubbles, so the suite measures minutes of virtual time in milliseconds of real time, and a goroutine left
// blocked when a check ends is reported as a leak. What it checks:
//
//   - semaphore: never more than n holders and all n used; n jobs of 1 s take exactly ⌈jobs/n⌉ s; Acquire gives up
//     exactly when its context ends; a done context never takes a slot; Release without a holder panics.
//   - batch: results in input order; peak concurrency exactly min(k, N); ⌈N/k⌉·L of virtual time; the first
//     error is the real one, with no job started after it and every running job cancelled; collect-all keeps
//     every error in its place; a batch cut by its deadline loses nothing.
//   - limiter: bad limits and oversized requests fail at once; a Wait cancelled mid-wait returns ctx's error at
//     that instant and gives back what it reserved; a wait that cannot end before ctx's deadline fails at once
//     and takes nothing; 60 RPM lets exactly one request through a second; against the mock at 6,000 TPM, zero
//     429s, never more tokens used than the budget allows, within 2 % of the time the tokens really used allow
//     (unused tokens given back), and tokens beyond an estimate charged.
//   - retry: 408, 429, 500, 502, 503, 504, a reset connection and a cut body are retried with every wait inside
//     the full-jitter bound; 400, 401, 403, 404 and 422 are returned at once; MaxAttempts is obeyed and the last
//     error wrapped; retry-after, retry-after-ms and x-ratelimit-reset-* are honoured; a wait that cannot fit
//     before the deadline returns at once; cancelling mid-wait returns context.Canceled; the waits grow with each
//     attempt; 20 concurrent calls sharing a Backoff each read only their own response's headers and do not
//     retry in lockstep; the first waits of 60 calls are spread uniformly.
//   - cancel: hedges start exactly at 0, hedge, 2·hedge…; the winner returns at that instant; every loser is
//     cancelled and waited for; a failure starts the next call at once; all-fail joins every error; cancelling
//     the context stops everything at that instant.
//
// The suite checks behaviour, not construction: a limiter on golang.org/x/time/rate, a semaphore from
// golang.org/x/sync and a retry with fresh randomness per call all pass.
package concurrency

import (
	"context"
	"net/http"
	"time"
)

// Semaphore bounds how many callers hold it at once.
type Semaphore interface {
	// Acquire takes one slot, waiting for one to be free. It returns ctx.Err() without taking a slot if ctx
	// ends first, or is already done.
	Acquire(ctx context.Context) error
	// TryAcquire takes a slot if one is free right now and reports whether it did.
	TryAcquire() bool
	// Release gives back a slot taken by Acquire or TryAcquire.
	Release()
}

// Mode says what a batch does when a job fails.
type Mode int

const (
	// FirstError stops at the first failure: the other jobs' context is cancelled, no new job starts, and the
	// batch returns that first error.
	FirstError Mode = iota
	// CollectAll runs every job and returns every result with its own error.
	CollectAll
)

func (m Mode) String() string {
	switch m {
	case FirstError:
		return "first-error"
	case CollectAll:
		return "collect-all"
	}
	return "Mode(?)"
}

// Result is one job's outcome, at the job's position in the batch.
type Result[T any] struct {
	Value T
	Err   error
}

// Limiter keeps calls inside a requests-per-minute and a tokens-per-minute budget.
type Limiter interface {
	// Wait blocks until a request estimated at estimate tokens may start, or ctx ends; then it returns ctx's
	// error and takes nothing (what it had reserved goes back). A request larger than the limiter's burst can
	// never start, and a wait that cannot end before ctx's deadline would only fail later: Wait says so at once
	// with an error.
	Wait(ctx context.Context, estimate int) error
	// Settle reconciles a finished request: actual is the usage the API reported. Tokens beyond the estimate
	// are charged; tokens estimated but not used are given back.
	Settle(estimate, actual int)
}

// Backoff configures retries.
type Backoff struct {
	Base        time.Duration // the first retry waits up to Base
	Cap         time.Duration // no wait computed from Base exceeds Cap (a server's retry-after may)
	MaxAttempts int           // attempts in all, the first one included; 0 means no limit but the context
	// Seed seeds the jitter. Each call must still draw waits of its own (mix something per call into the
	// generator's seed): calls that share a Backoff and fail together would otherwise retry in lockstep.
	Seed uint64
}

// Impl is what an implementation of the week provides; exercises/concurrency and solutions/concurrency both
// build one.
type Impl struct {
	// NewSemaphore returns a semaphore with n slots.
	NewSemaphore func(n int) Semaphore

	// Batch runs jobs at most k at a time and returns one result per job, in the jobs' order.
	Batch func(ctx context.Context, k int, mode Mode, jobs []func(context.Context) (string, error)) ([]Result[string], error)

	// NewLimiter returns a limiter for rpm requests and tpm tokens per minute whose largest request is
	// maxTokens tokens (the token bucket's burst).
	NewLimiter func(rpm, tpm, maxTokens int) (Limiter, error)

	// Retry calls call until it succeeds, fails for good, runs out of attempts or would outlive ctx.
	Retry func(ctx context.Context, b Backoff, call func(context.Context) error) error
	// Transport wraps the HTTP transport of the client that call uses, so Retry can see the headers
	// (retry-after, x-ratelimit-reset-*) of a failed response, which go-openai's errors do not carry.
	Transport func(base http.RoundTripper) http.RoundTripper

	// First starts calls[0], then the next call whenever hedge passes without an answer or a call fails; the
	// first success wins and every other call is cancelled and waited for.
	First func(ctx context.Context, hedge time.Duration, calls []func(context.Context) (string, error)) (string, error)
}
