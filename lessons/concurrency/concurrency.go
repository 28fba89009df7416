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
// Run checks an implementation of all five. Everything that waits runs inside testing/synctest bubbles, so the
// suite measures minutes of virtual time in milliseconds of real time, and a goroutine left blocked when a
// check ends is reported as a leak.
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
	// Wait blocks until a request estimated at estimate tokens may start, or ctx ends. A request larger than
	// the limiter's burst can never start: Wait says so at once with an error.
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
	Seed        uint64        // seeds the jitter, so a run can be repeated
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
