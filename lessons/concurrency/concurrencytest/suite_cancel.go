package concurrencytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/concurrency"
	"github.com/llmperf/workbook/lessons/suite"
)

// FirstFunc is the signature of Impl.First.
type FirstFunc = func(ctx context.Context, hedge time.Duration, calls []func(context.Context) (string, error)) (string, error)

// windDown is how long a fake call takes to stop once cancelled (closing its connection, say): a First that
// does not wait for its losers returns while they are still running.
const windDown = 10 * time.Millisecond

// tracked is a set of fake calls that record starts, cancellations and how many are running.
type tracked struct {
	running, cancelled concurrency.Gauge
	mu                 sync.Mutex
	startedAt          []time.Duration // by call, -1 if never started
	t0                 time.Time
}

// call i answers "call i" after d, or fails with err after d if err is set, or returns ctx.Err() windDown
// after it is cancelled.
func (tr *tracked) call(i int, d time.Duration, err error) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		tr.running.Enter()
		defer tr.running.Leave()
		tr.mu.Lock()
		tr.startedAt[i] = time.Since(tr.t0)
		tr.mu.Unlock()
		select {
		case <-time.After(d):
			if err != nil {
				return "", err
			}
			return fmt.Sprint("call ", i), nil
		case <-ctx.Done():
			tr.cancelled.Enter()
			time.Sleep(windDown)
			return "", ctx.Err()
		}
	}
}

// starts returns when each call started, -1 for never.
func (tr *tracked) starts() []time.Duration {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]time.Duration(nil), tr.startedAt...)
}

func newTracked(n int) *tracked {
	tr := &tracked{startedAt: make([]time.Duration, n), t0: time.Now()}
	for i := range tr.startedAt {
		tr.startedAt[i] = -1
	}
	return tr
}

func (tr *tracked) started() int {
	n := 0
	for _, s := range tr.starts() {
		if s >= 0 {
			n++
		}
	}
	return n
}

func testCancel(t *testing.T, first FirstFunc) {
	// The first call, in the test's goroutine, so an unfinished stub stops here with its hint.
	tr := newTracked(1)
	if v, err := first(context.Background(), time.Second, []func(context.Context) (string, error){tr.call(0, 0, nil)}); v != "call 0" || err != nil {
		t.Fatalf("one call that answers at once: %q, %v; want \"call 0\", nil", v, err)
	}
	if _, err := first(context.Background(), time.Second, nil); err == nil {
		t.Error("no calls at all: no error; there is no answer to return, say so")
	}

	type want struct {
		value    string
		took     time.Duration
		started  []time.Duration // when each call started, -1 for never
		canceled int
	}
	for _, tc := range []struct {
		name  string
		hedge time.Duration
		lat   []time.Duration
		want  want
	}{
		{"hedge after 500ms: the second call wins", 500 * time.Millisecond,
			[]time.Duration{5 * time.Second, time.Second, time.Second},
			want{"call 1", 1500*time.Millisecond + windDown, []time.Duration{0, 500 * time.Millisecond, time.Second}, 2}},
		{"hedge after 2s: the third call is never needed", 2 * time.Second,
			[]time.Duration{5 * time.Second, time.Second, time.Second},
			want{"call 1", 3*time.Second + windDown, []time.Duration{0, 2 * time.Second, -1}, 1}},
		{"the first call answers before any hedge", time.Second,
			[]time.Duration{300 * time.Millisecond, time.Second},
			want{"call 0", 300 * time.Millisecond, []time.Duration{0, -1}, 0}},
		{"race: hedge 0 starts every call at once", 0,
			[]time.Duration{3 * time.Second, time.Second, 2 * time.Second},
			want{"call 1", time.Second + windDown, []time.Duration{0, 0, 0}, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			suite.Bubble(t, func(t *testing.T) {
				tr := newTracked(len(tc.lat))
				calls := make([]func(context.Context) (string, error), len(tc.lat))
				for i, d := range tc.lat {
					calls[i] = tr.call(i, d, nil)
				}
				v, err := first(context.Background(), tc.hedge, calls)
				took := time.Since(tr.t0)
				if v != tc.want.value || err != nil {
					t.Errorf("answer %q, %v; want %q", v, err, tc.want.value)
				}
				if r := tr.running.Now(); r != 0 {
					t.Errorf("%d calls still running when First returned: cancel them and wait for them", r)
				}
				if took != tc.want.took {
					t.Errorf("returned after %v of virtual time, want %v (the winner's time, plus %v for the "+
						"cancelled calls to stop)", took, tc.want.took, windDown)
				}
				for i, at := range tr.starts() {
					if at != tc.want.started[i] {
						t.Errorf("call %d started at %v, want %v (-1: never)", i, at, tc.want.started[i])
					}
				}
				if c := tr.cancelled.Entered(); c != tc.want.canceled {
					t.Errorf("%d calls saw their context cancelled, want %d: cancel every call that lost", c, tc.want.canceled)
				}
			})
		})
	}

	t.Run("a failure starts the next call at once", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			tr := newTracked(2)
			boom := errors.New("boom")
			v, err := first(context.Background(), 10*time.Second, []func(context.Context) (string, error){
				tr.call(0, 100*time.Millisecond, boom), tr.call(1, time.Second, nil)})
			if v != "call 1" || err != nil {
				t.Errorf("answer %q, %v; want \"call 1\"", v, err)
			}
			if at := tr.starts()[1]; at != 100*time.Millisecond {
				t.Errorf("the second call started at %v; want 100ms, as soon as the first failed (not at the hedge)", at)
			}
		})
	})

	t.Run("every call fails", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			tr := newTracked(3)
			errs := []error{errors.New("e0"), errors.New("e1"), errors.New("e2")}
			_, err := first(context.Background(), time.Second, []func(context.Context) (string, error){
				tr.call(0, 100*time.Millisecond, errs[0]), tr.call(1, 200*time.Millisecond, errs[1]),
				tr.call(2, 300*time.Millisecond, errs[2])})
			for i, e := range errs {
				if !errors.Is(err, e) {
					t.Errorf("returned %v; want an error that wraps every call's error (missing e%d): errors.Join", err, i)
				}
			}
			if took := time.Since(tr.t0); took != 600*time.Millisecond {
				t.Errorf("returned after %v; want 600ms, when the last call failed", took)
			}
		})
	})

	t.Run("cancelling the context stops everything", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			tr := newTracked(5)
			calls := make([]func(context.Context) (string, error), 5)
			for i := range calls {
				calls[i] = tr.call(i, 10*time.Second, nil)
			}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(300*time.Millisecond, cancel)
			_, err := first(ctx, 120*time.Millisecond, calls)
			if r := tr.running.Now(); r != 0 {
				t.Errorf("%d calls still running when First returned", r)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("returned %v; want context.Canceled", err)
			}
			if took := time.Since(tr.t0); took != 300*time.Millisecond+windDown {
				t.Errorf("returned after %v; want %v, when the context was cancelled and the calls had stopped", took,
					300*time.Millisecond+windDown)
			}
			if s, c := tr.started(), tr.cancelled.Entered(); s != 3 || c != 3 {
				t.Errorf("%d calls started and %d saw the cancellation; want 3 and 3 (at 0, 120ms and 240ms)", s, c)
			}
		})
	})

	t.Run("answers that arrive together leak nothing", func(t *testing.T) {
		// Both calls answer at the same instant: the loser's result must still be received (or dropped into a
		// buffer), or its goroutine blocks for ever — the bubble reports that as a leak.
		suite.Bubble(t, func(t *testing.T) {
			calls := make([]func(context.Context) (string, error), 4)
			for i := range calls {
				calls[i] = func(context.Context) (string, error) {
					time.Sleep(time.Second)
					return fmt.Sprint("call ", i), nil
				}
			}
			v, err := first(context.Background(), 0, calls)
			if err != nil || v == "" {
				t.Errorf("answer %q, %v", v, err)
			}
		})
	})
}
