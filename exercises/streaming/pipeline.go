package streaming

import (
	"context"
	"iter"

	"github.com/llmperf/workbook/lessons/todo"
)

// Pipeline reads in, runs work on each input with the given number of workers (concurrently, exactly that many
// at most), and calls emit with the results in input order, from one goroutine at a time.
//
//   - Backpressure: hold at most 2·workers inputs that were read but not yet emitted (plus the one you have just
//     read while you wait for room). Wait for room before handing on the next input, so memory depends on
//     workers, not on the size of in — even when one slow input holds up the results behind it.
//   - The first error — yielded by in, returned by work or by emit — cancels the context work receives, starts
//     no more work, and is what Pipeline returns. The caller cancelling ctx does the same: Pipeline returns
//     ctx's error at once (the work's context derives from ctx).
//   - Every goroutine Pipeline starts has ended when it returns.
//   - workers < 1 is an error.
//
// The suite checks each point in virtual time: order and exactly `workers` calls at once over 300 uneven
// inputs; the bound behind an input that takes an hour; an error from work, from in and from emit; the caller
// cancelling mid-run; no goroutine left after a success, a failure or a cancellation.
func Pipeline[In, Out any](ctx context.Context, workers int, in iter.Seq2[In, error],
	work func(context.Context, In) (Out, error), emit func(Out) error) error {
	todo.Exercise("pipeline") // delete this line and write the pipeline
	return nil
}
