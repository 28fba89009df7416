package streaming

import (
	"context"
	"fmt"
	"iter"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Pipeline reads in, runs work on each input with the given number of workers, and calls emit with the results
// in input order, from one goroutine at a time.
//
// Backpressure: at most 2·workers inputs are in flight (read but not yet emitted) — the producer waits for room
// before it hands on the next one — so memory depends on workers, not on the size of in. A slow input holds the
// results behind it, and the producer with them, until it is done.
//
// The first error — from in, work or emit — cancels the context given to work, stops the reading, and is
// returned once every goroutine Pipeline started has ended.
func Pipeline[In, Out any](ctx context.Context, workers int, in iter.Seq2[In, error],
	work func(context.Context, In) (Out, error), emit func(Out) error) error {
	if workers < 1 {
		return fmt.Errorf("pipeline: workers is %d; it needs at least 1", workers)
	}
	type job struct {
		seq int
		in  In
	}
	type result struct {
		seq int
		out Out
	}
	window := 2 * workers
	room := make(chan struct{}, window) // one slot per input in flight
	jobs := make(chan job)
	results := make(chan result, window) // never full: there are at most window results
	g, ctx := errgroup.WithContext(ctx)

	g.Go(func() error { // producer
		defer close(jobs)
		seq := 0
		for v, err := range in {
			if err != nil {
				return err
			}
			select {
			case room <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case jobs <- job{seq, v}:
			case <-ctx.Done():
				return ctx.Err()
			}
			seq++
		}
		return nil
	})

	var running sync.WaitGroup
	for range workers {
		running.Add(1)
		g.Go(func() error {
			defer running.Done()
			for j := range jobs {
				if err := ctx.Err(); err != nil {
					return err // cancelled: start no more work
				}
				out, err := work(ctx, j.in)
				if err != nil {
					return err
				}
				results <- result{j.seq, out}
			}
			return nil
		})
	}
	g.Go(func() error {
		running.Wait()
		close(results)
		return nil
	})

	g.Go(func() error { // reorders and emits
		pending := make(map[int]Out, window)
		next := 0
		for r := range results {
			pending[r.seq] = r.out
			for out, ok := pending[next]; ok; out, ok = pending[next] {
				delete(pending, next)
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := emit(out); err != nil {
					return err
				}
				next++
				<-room
			}
		}
		return nil
	})
	return g.Wait()
}
