package streaming

import (
	"context"
	"fmt"
	"iter"
	"sync"
)

// Gather is the course seed's Python orchestrator written in Go, kept to be measured, not used: it reads the
// whole input and starts one goroutine per input before any of them runs ("create every task first, then
// gather"), lets limit of them call work at a time, and collects the results in a slice in input order. It
// returns the first error once every goroutine has ended.
//
// Its memory grows with the input: every input, every goroutine (its stack is at least 2 KiB) and every result
// are alive at once. Pipeline does the same work in memory that depends on its workers only.
func Gather[In, Out any](ctx context.Context, limit int, in iter.Seq2[In, error],
	work func(context.Context, In) (Out, error)) ([]Out, error) {
	if limit < 1 {
		return nil, fmt.Errorf("gather: limit is %d; it needs at least 1", limit)
	}
	type task struct {
		in  In
		out Out
		err error
	}
	var tasks []*task
	var wg sync.WaitGroup
	start := make(chan struct{}) // like asyncio: tasks exist, none has run yet
	sem := make(chan struct{}, limit)
	var readErr error
	for v, err := range in {
		if err != nil {
			readErr = err
			break
		}
		t := &task{in: v}
		tasks = append(tasks, t)
		wg.Go(func() {
			<-start
			sem <- struct{}{}
			defer func() { <-sem }()
			if t.err = ctx.Err(); t.err == nil {
				t.out, t.err = work(ctx, t.in)
			}
		})
	}
	close(start)
	wg.Wait()
	if readErr != nil {
		return nil, readErr
	}
	outs := make([]Out, len(tasks))
	for i, t := range tasks {
		if t.err != nil {
			return nil, t.err
		}
		outs[i] = t.out
	}
	return outs, nil
}
