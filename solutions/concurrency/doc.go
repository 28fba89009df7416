// Package concurrency is week 4's reference solution: fast without getting banned.
//
// A bouncer at a club door lets in only so many people at a time; as one leaves, the next enters. The pieces of
// this package are bouncers for an LLM API:
//
//   - [Semaphore]: at most n callers inside at once (a buffered channel of n slots);
//   - [Batch]: run jobs k at a time, keep their order, stop at the first error or collect every one;
//   - [Limiter]: stay under requests per minute and tokens per minute, in step with the limits the provider
//     reports in every reply, or learned from them ([NewAdaptiveLimiter]); [RateLimiter] is the same exercise on
//     two golang.org/x/time/rate limiters;
//   - [Retry]: exponential backoff with full jitter, drawn per call, that listens to the server's retry-after;
//   - [Sender]: a limiter and retries that never drop a request a rate limit refused;
//   - [First]: hedge a slow call and cancel every loser, leaving nothing running.
//
// Every wait in them takes a context and ends with it; no goroutine outlives the call that started it.
package concurrency

import lessons "github.com/llmperf/workbook/lessons/concurrency"

// Mode says what a batch does when a job fails: FirstError or CollectAll.
type Mode = lessons.Mode

// The batch modes.
const (
	FirstError = lessons.FirstError // cancel the rest and return the first error
	CollectAll = lessons.CollectAll // run every job; each result carries its own error
)

// Result is one job's outcome, at the job's position in the batch.
type Result[T any] = lessons.Result[T]

// Backoff configures Retry: Base, Cap, MaxAttempts and the jitter's Seed.
type Backoff = lessons.Backoff
