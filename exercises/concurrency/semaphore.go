package concurrency

import (
	"context"

	"github.com/llmperf/workbook/lessons/todo"
)

// Semaphore is a counting semaphore: at most n callers hold it at once.
//
// Build it on a buffered channel of capacity n: sending a value takes a slot (a full channel makes the sender
// wait), receiving one gives the slot back.
type Semaphore struct {
	// your fields: the channel of slots
}

// NewSemaphore returns a semaphore with n slots. It panics if n < 1: such a semaphore could never be acquired.
func NewSemaphore(n int) *Semaphore {
	todo.Exercise("semaphore") // delete this line and make the channel
	return nil
}

// Acquire takes a slot, waiting until one is free or ctx ends. On failure it returns ctx.Err() and takes
// nothing. A context that is already done must always fail, even with free slots: select picks at random among
// ready cases, so look at ctx.Err() first.
func (s *Semaphore) Acquire(ctx context.Context) error {
	todo.Exercise("semaphore") // delete this line: select on the send and on ctx.Done()
	return nil
}

// TryAcquire takes a slot if one is free now and reports whether it did. It never waits.
func (s *Semaphore) TryAcquire() bool {
	todo.Exercise("semaphore") // delete this line: a select with a default case
	return false
}

// Release gives back a slot. Releasing a semaphore nobody holds is a bug in the caller: panic, never block.
func (s *Semaphore) Release() {
	todo.Exercise("semaphore") // delete this line: receive, or panic if there is nothing to receive
}
