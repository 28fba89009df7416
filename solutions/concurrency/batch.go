package concurrency

import (
	"context"
	"fmt"
	"sync"
)

// Batch runs jobs at most k at a time and returns one result per job, in the jobs' order: job i writes only
// results[i], so the order costs nothing, whatever order the jobs finish in.
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
	sem := NewSemaphore(k)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	started := 0
	for i, job := range jobs {
		if !acquire(ctx, sem) {
			break
		}
		started++
		wg.Go(func() {
			defer sem.Release() // after the cancel below, so the loop never starts a job after a failure
			v, err := job(ctx)
			if err != nil {
				once.Do(func() { first = err; cancel() })
				return
			}
			results[i].Value = v
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if started < len(jobs) {
		return nil, parent.Err()
	}
	return results, nil
}

func collectAll[T any](ctx context.Context, k int, jobs []func(context.Context) (T, error)) []Result[T] {
	results := make([]Result[T], len(jobs))
	sem := NewSemaphore(k)
	var wg sync.WaitGroup
	for i, job := range jobs {
		if !acquire(ctx, sem) {
			for j := i; j < len(jobs); j++ {
				results[j].Err = ctx.Err()
			}
			break
		}
		wg.Go(func() {
			defer sem.Release()
			v, err := job(ctx)
			results[i] = Result[T]{Value: v, Err: err}
		})
	}
	wg.Wait()
	return results
}

// acquire takes a slot unless ctx is done, even if a slot and the cancellation arrived together.
func acquire(ctx context.Context, sem *Semaphore) bool {
	if sem.Acquire(ctx) != nil {
		return false
	}
	if ctx.Err() != nil {
		sem.Release()
		return false
	}
	return true
}
