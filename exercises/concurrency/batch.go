package concurrency

import (
	"context"

	"github.com/llmperf/workbook/lessons/todo"
)

// Batch runs jobs at most k at a time and returns one result per job, in the jobs' order.
//
// Make the results slice up front and let job i write only results[i]: the order is then free. Take a slot of
// a semaphore (yours, or errgroup.SetLimit) before starting each job, or run k workers that take the next index
// until none is left; wait for every job you started before returning.
//
// In FirstError mode the first job to fail cancels the context of the others, no new job starts, and Batch
// returns that error (not a sibling's context.Canceled: record the first error before you cancel); the results
// are then nil. In CollectAll mode every job runs and each Result carries its own error; jobs that could not
// start because ctx ended carry ctx's error, so none goes missing. k < 1 is an error and runs nothing.
func Batch[T any](ctx context.Context, k int, mode Mode, jobs []func(context.Context) (T, error)) ([]Result[T], error) {
	todo.Exercise("batch") // delete this line and run the jobs
	return nil, nil
}
