package concurrency

import (
	"context"
	"fmt"
)

// Semaphore is a counting semaphore on a buffered channel: sending a token takes a slot, receiving one gives it
// back, and a full channel makes the next sender wait. Create one with NewSemaphore. It is not fair: when a slot
// frees, any waiter may get it.
type Semaphore struct {
	slots chan struct{}
}

// NewSemaphore returns a semaphore with n slots. It panics if n < 1: such a semaphore could never be acquired.
func NewSemaphore(n int) *Semaphore {
	if n < 1 {
		panic(fmt.Sprintf("concurrency: NewSemaphore(%d): a semaphore needs at least one slot", n))
	}
	return &Semaphore{slots: make(chan struct{}, n)}
}

// Acquire takes a slot, waiting until one is free or ctx ends. On failure it returns ctx.Err() and takes
// nothing; a context that is already done always fails, even with free slots.
func (s *Semaphore) Acquire(ctx context.Context) error {
	// select chooses at random among ready cases, so check ctx first: a done context must never take a slot.
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TryAcquire takes a slot if one is free now and reports whether it did. It never waits.
func (s *Semaphore) TryAcquire() bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// Release gives back a slot. Releasing a semaphore nobody holds is a bug in the caller, so it panics.
func (s *Semaphore) Release() {
	select {
	case <-s.slots:
	default:
		panic("concurrency: Release of a semaphore nobody holds")
	}
}
