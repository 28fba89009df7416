package concurrency

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Batch runs jobs at most k at a time and returns one result per job, in the jobs' order: job i writes only
// results[i], so the order costs nothing, whatever order the jobs finish in. It runs k workers that each take
// the next job as soon as they are free (a goroutine per job behind a semaphore works too, but each job then
// waits for a hand-off from the loop that starts it: BenchmarkBatchRealTime measures the difference).
//
// In FirstError mode the first job to fail cancels the context of the others, no new job starts, and Batch
// returns that error (not a sibling's context.Canceled) once every started job has returned; the results are
// then nil. In CollectAll mode every job runs and each Result carries its own error; jobs that could not start
// because ctx ended carry ctx's error, so no job is silently missing. Either way Batch returns only after every
// job it started has returned. k < 1 is an error and runs nothing.
func Batch[T any](ctx context.Context, k int, mode Mode, jobs []func(context.Context) (T, error)) ([]Result[T], error) {
	if k < 1 {
		return nil, fmt.Errorf("concurrency: Batch with limit k=%d: need k ≥ 1", k)
	}
	if mode == CollectAll {
		return collectAll(ctx, k, jobs), nil
	}
	return firstError(ctx, k, jobs)
}

func firstError[T any](parent context.Context, k int, jobs []func(context.Context) (T, error)) ([]Result[T], error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	results := make([]Result[T], len(jobs))
	var (
		once  sync.Once
		first error
	)
	unstarted := workers(ctx, k, len(jobs), func(i int) {
		v, err := jobs[i](ctx)
		if err != nil {
			once.Do(func() { first = err; cancel() })
			return
		}
		results[i].Value = v
	}, nil)
	switch {
	case first != nil:
		return nil, first
	case unstarted > 0:
		return nil, parent.Err()
	}
	return results, nil
}

func collectAll[T any](ctx context.Context, k int, jobs []func(context.Context) (T, error)) []Result[T] {
	results := make([]Result[T], len(jobs))
	workers(ctx, k, len(jobs), func(i int) {
		v, err := jobs[i](ctx)
		results[i] = Result[T]{Value: v, Err: err}
	}, func(i int) { results[i].Err = ctx.Err() })
	return results
}

// workers runs job(0) … job(n-1) on min(k, n) goroutines that each take the next index as soon as they are
// free: no goroutine per job and no hand-off through a coordinator, so a slot never sits idle between jobs.
// Once ctx is done, indexes not yet taken go to skip (if not nil) instead of job. workers returns when every
// goroutine has, with the number of jobs skipped.
func workers(ctx context.Context, k, n int, job, skip func(i int)) int {
	var (
		next    atomic.Int64
		skipped atomic.Int64
		wg      sync.WaitGroup
	)
	for range min(k, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if ctx.Err() != nil {
					skipped.Add(1)
					if skip != nil {
						skip(i)
					}
					continue
				}
				job(i)
			}
		})
	}
	wg.Wait()
	return int(skipped.Load())
}
