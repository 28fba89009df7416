package concurrencytest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/concurrency"
	"github.com/llmperf/workbook/lessons/suite"
)

func testSemaphore(t *testing.T, newSem func(n int) concurrency.Semaphore) {
	// The first call, in the test's goroutine, so an unfinished stub stops here with its hint.
	probe := newSem(2)

	t.Run("try", func(t *testing.T) {
		s := probe
		if !s.TryAcquire() || !s.TryAcquire() {
			t.Fatal("TryAcquire on a semaphore of 2 with free slots returned false")
		}
		if s.TryAcquire() {
			t.Fatal("a third TryAcquire on a full semaphore of 2 returned true")
		}
		s.Release()
		if !s.TryAcquire() {
			t.Fatal("TryAcquire after a Release returned false")
		}
		s.Release()
		s.Release()
	})

	t.Run("never more than n holders", func(t *testing.T) {
		for _, n := range []int{1, 3, 8} {
			suite.Bubble(t, func(t *testing.T) {
				const jobs, hold = 20, time.Second
				s := newSem(n)
				var g concurrency.Gauge
				var wg sync.WaitGroup
				start := time.Now()
				for range jobs {
					wg.Go(func() {
						if err := s.Acquire(context.Background()); err != nil {
							t.Errorf("Acquire: %v", err)
							return
						}
						g.Enter()
						time.Sleep(hold)
						g.Leave()
						s.Release()
					})
				}
				wg.Wait()
				if p := g.Peak(); p != n {
					t.Errorf("semaphore of %d: peak holders %d, want exactly %d (never more, and all slots used)", n, p, n)
				}
				want := time.Duration((jobs+n-1)/n) * hold
				if got := time.Since(start); got != want {
					t.Errorf("semaphore of %d: %d jobs of %v took %v of virtual time, want ⌈%d/%d⌉·%v = %v",
						n, jobs, hold, got, jobs, n, hold, want)
				}
			})
		}
	})

	t.Run("acquire honours the context", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			s := newSem(1)
			if err := s.Acquire(context.Background()); err != nil {
				t.Fatalf("Acquire on a free semaphore: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			err := s.Acquire(ctx)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Acquire on a full semaphore with a 1s timeout returned %v, want context.DeadlineExceeded", err)
			}
			if got := time.Since(start); got != time.Second {
				t.Errorf("Acquire gave up after %v of virtual time, want 1s (when the context ended)", got)
			}
			s.Release()
			time.Sleep(time.Millisecond) // let anything the failed Acquire left behind run

			if !s.TryAcquire() {
				t.Fatal("after a timed-out Acquire and a Release the slot was not free: the failed Acquire took it anyway")
			}
			s.Release()
		})
	})

	t.Run("done context never takes a slot", func(t *testing.T) {
		s := newSem(3)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for i := range 200 {
			if err := s.Acquire(ctx); err == nil {
				t.Fatalf("Acquire with a cancelled context succeeded (try %d): check ctx.Err() before taking a slot, "+
					"since select picks at random among ready cases", i)
			}
		}
		for i := range 3 {
			if !s.TryAcquire() {
				t.Fatalf("slot %d of 3 was gone after Acquires with a cancelled context: they must leave the semaphore unchanged", i+1)
			}
		}
	})

	t.Run("release without acquire panics", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			s := newSem(2)
			done := make(chan any, 1)
			go func() {
				defer func() { done <- recover() }()
				s.Release()
			}()
			select {
			case r := <-done:
				if r == nil {
					t.Error("Release on a semaphore nobody holds returned normally; it must panic (a bug in the caller)")
				}
			case <-time.After(time.Minute):
				t.Error("Release on a semaphore nobody holds blocked; it must panic instead")
				s.TryAcquire() // unblock a channel receive, so the goroutine ends
			}
		})
	})
}
