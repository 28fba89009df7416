package concurrency

import (
	"context"
	"errors"
	"sync"
	"time"
)

// First returns the first successful answer of calls. It starts calls[0], then the next call whenever hedge
// passes without an answer (hedge ≤ 0 starts them all at once) or a call fails. As soon as one succeeds, every
// other call's context is cancelled and First waits for them to return, so nothing it started is left running.
// If every call fails, the error joins all their errors; if ctx ends first, it returns ctx's error.
//
// Results travel on a channel with room for every call: a loser that answers after the winner can always send,
// and so never blocks for ever (the classic goroutine leak of a race).
func First[T any](ctx context.Context, hedge time.Duration, calls ...func(context.Context) (T, error)) (T, error) {
	var zero T
	if len(calls) == 0 {
		return zero, errors.New("concurrency: First needs at least one call")
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // runs last: after cancel, every call returns promptly
	defer cancel()

	type answer struct {
		v   T
		err error
	}
	answers := make(chan answer, len(calls))
	next, running := 0, 0
	start := func() {
		call := calls[next]
		next++
		running++
		wg.Go(func() {
			v, err := call(ctx)
			answers <- answer{v, err}
		})
	}
	start()
	for hedge <= 0 && next < len(calls) {
		start()
	}
	timer := time.NewTimer(max(hedge, 0))
	defer timer.Stop()
	var errs []error
	for {
		var hedgeC <-chan time.Time
		if next < len(calls) {
			hedgeC = timer.C
		}
		select {
		case a := <-answers:
			running--
			if a.err == nil {
				return a.v, nil
			}
			errs = append(errs, a.err)
			if next < len(calls) {
				start()
				timer.Reset(max(hedge, 0))
			} else if running == 0 {
				return zero, errors.Join(errs...)
			}
		case <-hedgeC:
			start()
			timer.Reset(hedge)
		case <-ctx.Done():
			return zero, ctx.Err()
		}
	}
}
