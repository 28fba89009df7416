package streamingtest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/streaming"
	"github.com/llmperf/workbook/lessons/suite"
)

func testPipeline(t *testing.T, pipeline streaming.PipelineFunc) {
	// In the test's goroutine, so a stub's stop is caught.
	pipeline(context.Background(), 2, inputs(0), upper, func(string) error { return nil })
	// Leaks first: a goroutine left blocked inside a synctest bubble would crash the whole test run.
	checks := pipelineChecks(pipeline)
	leaks := checks[len(checks)-1]
	if err := leaks.Run(t); err != nil {
		t.Fatalf("%s: %v (the other pipeline checks run once this one passes)", leaks.Name, err)
	}
	suite.RunChecks(t, checks[:len(checks)-1])
}

// pipelineChecks are the pipeline exercise's checks: workers < 1 is an error; results in input order from one
// goroutine at a time, with exactly the given number of work calls at once; at most 2·workers+1 inputs read and
// not yet emitted, even behind a slow one; the first error from work, the input or emit is returned, cancels
// the work in flight and starts no more; the caller cancelling its context stops the pipeline the same way; no
// goroutine left behind (in virtual time, except the last, which counts goroutines).
func pipelineChecks(pipeline streaming.PipelineFunc) []suite.Check {
	return []suite.Check{
		{Name: "bad-workers", Run: func(*testing.T) error { return checkPipelineWorkers(pipeline) }},
		{Name: "order", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error { return checkPipelineOrder(pipeline) })
		}},
		{Name: "backpressure", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error { return checkPipelineBackpressure(pipeline) })
		}},
		{Name: "first-error", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error { return checkPipelineFirstError(pipeline) })
		}},
		{Name: "caller-cancels", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error { return checkPipelineCallerCancels(pipeline) })
		}},
		{Name: "no-goroutine-left", Run: func(*testing.T) error { return checkPipelineLeaks(pipeline) }},
	}
}

func upper(_ context.Context, s string) (string, error) { return strings.ToUpper(s), nil }

// inputs yields "r0", "r1", … n of them.
func inputs(n int) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for i := range n {
			if !yield("r"+strconv.Itoa(i), nil) {
				return
			}
		}
	}
}

// index is the i of "ri" (or "RI").
func index(s string) int {
	i, _ := strconv.Atoi(s[1:])
	return i
}

func checkPipelineWorkers(pipeline streaming.PipelineFunc) error {
	for _, k := range []int{0, -1} {
		calls := 0
		emit := func(string) error { calls++; return nil }
		if err := pipeline(context.Background(), k, inputs(3), upper, emit); err == nil {
			return fmt.Errorf("workers=%d: no error; want one (a pipeline needs at least one worker)", k)
		}
		if calls > 0 {
			return fmt.Errorf("workers=%d: emitted %d results along with the error", k, calls)
		}
	}
	return nil
}

func checkPipelineOrder(pipeline streaming.PipelineFunc) error {
	for _, k := range []int{1, 3, 8} {
		const n = 300
		var running, peak atomic.Int64
		work := func(ctx context.Context, s string) (string, error) {
			r := running.Add(1)
			defer running.Add(-1)
			for p := peak.Load(); r > p && !peak.CompareAndSwap(p, r); p = peak.Load() {
			}
			time.Sleep(time.Duration(1+(index(s)*7919)%13) * time.Millisecond) // uneven: results finish out of order
			return strings.ToUpper(s), nil
		}
		var got []string
		var emitting atomic.Bool
		emit := func(s string) error {
			if !emitting.CompareAndSwap(false, true) {
				return errors.New("emit called concurrently")
			}
			defer emitting.Store(false)
			got = append(got, s)
			return nil
		}
		if err := pipeline(context.Background(), k, inputs(n), work, emit); err != nil {
			return fmt.Errorf("workers=%d: %v", k, err)
		}
		if len(got) != n {
			return fmt.Errorf("workers=%d: emitted %d results for %d inputs", k, len(got), n)
		}
		for i, s := range got {
			if s != "R"+strconv.Itoa(i) {
				return fmt.Errorf("workers=%d: result %d is %q, want %q: emit results in input order", k, i, s,
					"R"+strconv.Itoa(i))
			}
		}
		if p := peak.Load(); p != int64(k) {
			return fmt.Errorf("workers=%d: at most %d calls of work ran at once, want exactly %d", k, p, k)
		}
	}
	return nil
}

// checkPipelineBackpressure makes the first input slow: a pipeline without a bound on work in flight keeps
// reading (and holding) inputs while it waits for result 0.
func checkPipelineBackpressure(pipeline streaming.PipelineFunc) error {
	for _, k := range []int{1, 4} {
		const n = 1000
		var pulled, emitted, peak atomic.Int64
		in := func(yield func(string, error) bool) {
			for i := range n {
				if held := pulled.Add(1) - emitted.Load(); held > peak.Load() {
					peak.Store(held)
				}
				if !yield("r"+strconv.Itoa(i), nil) {
					return
				}
			}
		}
		work := func(ctx context.Context, s string) (string, error) {
			d := time.Millisecond
			if index(s) == 0 {
				d = time.Hour
			}
			time.Sleep(d)
			return strings.ToUpper(s), nil
		}
		next := 0
		emit := func(s string) error {
			if index(s) != next {
				return fmt.Errorf("emitted %q, want R%d", s, next)
			}
			next++
			emitted.Add(1)
			return nil
		}
		if err := pipeline(context.Background(), k, in, work, emit); err != nil {
			return fmt.Errorf("workers=%d: %v", k, err)
		}
		if next != n {
			return fmt.Errorf("workers=%d: emitted %d of %d results", k, next, n)
		}
		if p := peak.Load(); p > int64(streaming.InFlightBound(k)) {
			return fmt.Errorf("workers=%d: while result 0 was slow, %d inputs were read but not yet emitted; "+
				"the bound is %d (2·workers+1): wait for room before reading the next input, so memory "+
				"does not grow with the input", k, p, streaming.InFlightBound(k))
		}
	}
	return nil
}

var errBoom = errors.New("summarizer exploded")

// checkPipelineFirstError fails input 2 while the others wait for a cancellation that only a cancelled
// context brings; then fails the input and the emit instead.
func checkPipelineFirstError(pipeline streaming.PipelineFunc) error {
	const k, n, bad = 4, 1000, 2
	var started, running atomic.Int64
	work := func(ctx context.Context, s string) (string, error) {
		started.Add(1)
		running.Add(1)
		defer running.Add(-1)
		if index(s) == bad {
			time.Sleep(time.Millisecond)
			return "", errBoom
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Hour):
			return strings.ToUpper(s), nil
		}
	}
	var emitted atomic.Int64
	emit := func(string) error { emitted.Add(1); return nil }
	t0 := time.Now()
	err := pipeline(context.Background(), k, inputs(n), work, emit)
	switch {
	case !errors.Is(err, errBoom):
		return fmt.Errorf("work failed on input %d: Pipeline returned %v, want that error (the first one, "+
			"not the cancellations it caused)", bad, err)
	case time.Since(t0) >= time.Hour:
		return fmt.Errorf("work failed on input %d, yet the other calls ran to the end (%v): cancel the "+
			"context they were given at the first error", bad, time.Since(t0))
	case running.Load() != 0:
		return fmt.Errorf("Pipeline returned while %d calls of work were still running: wait for them",
			running.Load())
	case started.Load() > bad+int64(streaming.InFlightBound(k)):
		return fmt.Errorf("work was started %d times for a pipeline that failed on input %d with %d "+
			"workers: stop starting work after the first error", started.Load(), bad, k)
	case emitted.Load() != 0:
		return fmt.Errorf("emitted %d results, though input 0 never finished", emitted.Load())
	}

	errRead := errors.New("log truncated")
	broken := func(yield func(string, error) bool) {
		for i := range n {
			if i == 5 {
				yield("", errRead)
				return
			}
			if !yield("r"+strconv.Itoa(i), nil) {
				return
			}
		}
	}
	var got []string
	err = pipeline(context.Background(), k, broken, upper, func(s string) error { got = append(got, s); return nil })
	if !errors.Is(err, errRead) {
		return fmt.Errorf("the input yielded an error after 5 records: Pipeline returned %v, want that error", err)
	}
	if !slices.Equal(got, []string{"R0", "R1", "R2", "R3", "R4"}[:len(got)]) {
		return fmt.Errorf("the input failed after 5 records: emitted %q, not a prefix of the results", got)
	}

	errFull := errors.New("disk full")
	started.Store(0)
	emits := 0
	err = pipeline(context.Background(), k, inputs(n), func(ctx context.Context, s string) (string, error) {
		started.Add(1)
		return upper(ctx, s)
	}, func(string) error {
		emits++
		if emits == 3 {
			return errFull
		}
		return nil
	})
	switch {
	case !errors.Is(err, errFull):
		return fmt.Errorf("emit failed on result 2: Pipeline returned %v, want that error", err)
	case emits != 3:
		return fmt.Errorf("emit failed on result 2, yet it was called %d times", emits)
	case started.Load() > 3+int64(streaming.InFlightBound(k)):
		return fmt.Errorf("emit failed on result 2, yet work was started %d times: stop at the first error",
			started.Load())
	}
	return nil
}

// checkPipelineCallerCancels cancels the caller's context at 5.5 ms, while work (1 ms a call, ending early when
// its context does) still has a second of inputs to go.
func checkPipelineCallerCancels(pipeline streaming.PipelineFunc) error {
	for _, k := range []int{1, 4} {
		const n = 1000
		const at = 5500 * time.Microsecond
		ctx, cancel := context.WithCancel(context.Background())
		var started, running, afterCancel atomic.Int64
		var cancelled atomic.Bool
		work := func(ctx context.Context, s string) (string, error) {
			started.Add(1)
			if cancelled.Load() {
				afterCancel.Add(1)
			}
			running.Add(1)
			defer running.Add(-1)
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(time.Millisecond):
				return strings.ToUpper(s), nil
			}
		}
		var got []string
		emit := func(s string) error { got = append(got, s); return nil }
		stop := time.AfterFunc(at, func() { cancelled.Store(true); cancel() })
		t0 := time.Now()
		err := pipeline(ctx, k, inputs(n), work, emit)
		took := time.Since(t0)
		stop.Stop()
		cancel()
		switch {
		case !errors.Is(err, context.Canceled):
			return fmt.Errorf("workers=%d, the caller cancelled its context at %v: Pipeline returned %v, want "+
				"context.Canceled (the caller's ctx.Err(), wrapped is fine)", k, at, err)
		case took > at+time.Millisecond:
			return fmt.Errorf("workers=%d, the caller cancelled at %v: Pipeline returned at %v: derive the "+
				"workers' context from the caller's, and stop reading and emitting when it is done", k, at, took)
		case running.Load() != 0:
			return fmt.Errorf("workers=%d: Pipeline returned while %d calls of work still ran", k, running.Load())
		case afterCancel.Load() > int64(streaming.InFlightBound(k)):
			return fmt.Errorf("workers=%d: work was started %d times after the caller cancelled: check the "+
				"context before starting work", k, afterCancel.Load())
		}
		for i, s := range got {
			if s != "R"+strconv.Itoa(i) {
				return fmt.Errorf("workers=%d, cancelled: emitted %s, not a prefix of the results in order", k,
					quoteAll(got))
			}
		}
	}
	return nil
}

// checkPipelineLeaks runs pipelines that succeed, fail in work, fail in emit and are cancelled, then waits for
// the number of goroutines to come back to where it was.
func checkPipelineLeaks(pipeline streaming.PipelineFunc) error {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runs := []struct {
		name string
		ctx  context.Context
		work func(context.Context, string) (string, error)
		emit func(string) error
	}{
		{"success", context.Background(), upper, func(string) error { return nil }},
		{"work error", context.Background(), func(ctx context.Context, s string) (string, error) {
			if index(s) == 50 {
				return "", errBoom
			}
			return upper(ctx, s)
		}, func(string) error { return nil }},
		{"emit error", context.Background(), upper, func(string) error { return errBoom }},
		{"cancelled", ctx, func(ctx context.Context, s string) (string, error) {
			if index(s) == 20 {
				cancel()
			}
			return upper(ctx, s)
		}, func(string) error { return nil }},
	}
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Go(func() { pipeline(r.ctx, 3, inputs(500), r.work, r.emit) })
	}
	wg.Wait()
	// Goroutines that are merely finishing get a moment; leaked ones stay.
	var now int
	for range 200 {
		if now = runtime.NumGoroutine(); now <= before {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("%d goroutines before 4 pipelines (success, work error, emit error, cancelled), %d "+
		"after they returned: every goroutine a pipeline starts must end before it returns", before, now)
}
