package pulsetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/lessons/concurrency"
	"github.com/llmperf/workbook/lessons/pulse"
	"github.com/llmperf/workbook/lessons/suite"
	"github.com/llmperf/workbook/mock"
)

// Checks are the capstone's checks, each in a synctest bubble with a mock of its own:
//
//   - same summaries as naive: a 16 KiB generated log, answers whose latency varies by ±90 % (so they come back
//     out of order), 4 workers: every summary, in log order, as Naive gives them;
//   - an empty log makes no call;
//   - Workers calls at once: 24 different records, 4 workers: the mock sees exactly 4 calls at once;
//   - one call per distinct record: a generated log (routine entries repeat) followed by records repeated
//     back to back (so repeats are also in flight together): the mock sees each distinct request once;
//   - bounded memory: an 8 MiB log generated as it is read: summaries are emitted as the log is read (never more
//     than 1 MiB of read-ahead and a pipeline's window of records ahead of the last one emitted), and the live
//     heap, measured after a collection at every MiB read, grows by less than HeapBound;
//   - nothing lost under faults: 30 % of calls fail (429, 500, 503, connection dropped): every summary still
//     arrives, in order;
//   - never over the requests per minute, never over the tokens per minute: the mock, set to the same limits,
//     refuses no request;
//   - a read error ends the run, emit's error ends the run, and the caller's deadline ends the run at that
//     instant: each returns that error and leaves no call running at the mock.
func Checks(summarize pulse.SummarizeFunc) []suite.Check {
	return []suite.Check{
		{Name: "same summaries as naive", Run: func(t *testing.T) error {
			return bubble(t, func(t *testing.T) error {
				log := siteLog(16<<10, 3)
				srv := mock.New(mock.Config{TTFT: time.Second, InterToken: 10 * time.Millisecond, Jitter: 0.9, Seed: 4})
				got, err := run(t.Context(), summarize, srv, log, defaultConfig())
				if err != nil {
					return err
				}
				return same(got, naive(t, log))
			})
		}},
		{Name: "an empty log makes no call", Run: func(t *testing.T) error {
			return bubble(t, func(t *testing.T) error {
				srv := mock.New(mock.Config{})
				got, err := run(t.Context(), summarize, srv, []byte("\n\n  \n"), defaultConfig())
				if err != nil || len(got) > 0 || srv.Stats().Requests > 0 {
					return fmt.Errorf("%d summaries, %d calls, error %v; want none of them", len(got),
						srv.Stats().Requests, err)
				}
				return nil
			})
		}},
		{Name: "Workers calls at once", Run: func(t *testing.T) error {
			return bubble(t, func(t *testing.T) error {
				srv := mock.New(mock.Config{TTFT: time.Second})
				cfg := defaultConfig()
				if _, err := run(t.Context(), summarize, srv, distinctLog(24), cfg); err != nil {
					return err
				}
				if p := srv.Stats().PeakConcurrent; p != int64(cfg.Workers) {
					return fmt.Errorf("the mock saw at most %d calls at once; with Workers %d, want %d", p,
						cfg.Workers, cfg.Workers)
				}
				return nil
			})
		}},
		{Name: "one call per distinct record", Run: func(t *testing.T) error {
			return bubble(t, func(t *testing.T) error {
				log := append(siteLog(16<<10, 5), backToBack(8, 3, 2)...)
				srv := mock.New(mock.Config{TTFT: time.Second, InterToken: 10 * time.Millisecond})
				got, err := run(t.Context(), summarize, srv, log, defaultConfig())
				if err != nil {
					return err
				}
				if err := same(got, naive(t, log)); err != nil {
					return err
				}
				records := pulse.SplitRecords(string(log))
				distinct := map[string]bool{}
				for _, r := range records {
					distinct[pulse.RecordPrompt(r)] = true
				}
				if n := srv.Stats().Requests; n != int64(len(distinct)) {
					return fmt.Errorf("%d calls for %d records of which %d are distinct requests; want %d: "+
						"a repeat must be answered from the cache, or by the identical call in flight", n,
						len(records), len(distinct), len(distinct))
				}
				return nil
			})
		}},
		{Name: "bounded memory", Run: func(t *testing.T) error {
			return bubble(t, func(t *testing.T) error { return boundedMemory(t, summarize) })
		}},
		{Name: "nothing lost under faults", Run: func(t *testing.T) error {
			return bubble(t, func(t *testing.T) error {
				log := siteLog(12<<10, 7)
				srv := mock.New(mock.Config{TTFT: 100 * time.Millisecond, FaultRate: 0.3, Seed: 5,
					Faults: []mock.Fault{mock.Fault429, mock.Fault500, mock.Fault503, mock.FaultDrop}})
				got, err := run(t.Context(), summarize, srv, log, defaultConfig())
				faults := int64(0)
				for _, n := range srv.Stats().Faults {
					faults += n
				}
				if err != nil {
					return fmt.Errorf("faults injected: %d; %w; want every failed call retried", faults, err)
				}
				if err := same(got, naive(t, log)); err != nil {
					return fmt.Errorf("faults injected: %d; %w", faults, err)
				}
				return nil
			})
		}},
		{Name: "never over the requests per minute", Run: func(t *testing.T) error {
			return limits(t, summarize, 12, 0)
		}},
		{Name: "never over the tokens per minute", Run: func(t *testing.T) error {
			return limits(t, summarize, 0, 2000)
		}},
		{Name: "a read error ends the run", Run: func(t *testing.T) error {
			return bubble(t, func(t *testing.T) error {
				srv := mock.New(mock.Config{TTFT: time.Second})
				log := io.MultiReader(strings.NewReader(string(distinctLog(3))), iotest.ErrReader(errDisk))
				_, err := runReader(t.Context(), summarize, srv, log, defaultConfig(), nil)
				if !errors.Is(err, errDisk) {
					return fmt.Errorf("the log failed to read; Summarize returned %v, want an error wrapping the "+
						"reader's (%%w)", err)
				}
				return stillRunning(srv)
			})
		}},
		{Name: "emit's error ends the run", Run: func(t *testing.T) error {
			return bubble(t, func(t *testing.T) error {
				srv := mock.New(mock.Config{TTFT: time.Second})
				var emitted atomic.Int64
				_, err := runReader(t.Context(), summarize, srv, strings.NewReader(string(distinctLog(24))),
					defaultConfig(), func(string) error {
						if emitted.Add(1) == 3 {
							return errStop
						}
						return nil
					})
				if !errors.Is(err, errStop) {
					return fmt.Errorf("emit failed; Summarize returned %v, want emit's error", err)
				}
				if n := emitted.Load(); n != 3 {
					return fmt.Errorf("emit was called %d times; want no call after the one that failed", n)
				}
				return stillRunning(srv)
			})
		}},
		{Name: "the caller's deadline ends the run", Run: func(t *testing.T) error {
			return bubble(t, func(t *testing.T) error {
				srv := mock.New(mock.Config{TTFT: time.Hour})
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				start := time.Now()
				_, err := run(ctx, summarize, srv, siteLog(8<<10, 9), defaultConfig())
				// Either error is right: which one a run reports depends on whether a worker saw its context end
				// before its call's error came back, an order no implementation controls. (Returning
				// context.Cause of the run's context when it has ended always gives DeadlineExceeded.)
				if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
					return fmt.Errorf("calls that take an hour, a deadline in a minute: Summarize returned %v, "+
						"want an error wrapping context.DeadlineExceeded (or context.Canceled)", err)
				}
				if d := time.Since(start); d > time.Minute {
					return fmt.Errorf("Summarize returned %v after the deadline; want at the deadline", d-time.Minute)
				}
				return stillRunning(srv)
			})
		}},
	}
}

// HeapBound is how much the live heap may grow during the bounded-memory check's 8 MiB log.
const HeapBound = 3 << 20

var (
	errDisk = errors.New("disk read error")
	errStop = errors.New("the consumer stopped")
)

// defaultConfig is the configuration of the checks that set none of their own.
func defaultConfig() pulse.Config {
	return pulse.Config{Workers: 4, CacheSize: 256,
		Backoff: concurrency.Backoff{Base: 100 * time.Millisecond, Cap: 5 * time.Second, MaxAttempts: 30, Seed: 1}}
}

// bubble runs f in a synctest bubble: a goroutine left blocked for good, or a deadlock, is its error.
func bubble(t *testing.T, f func(t *testing.T) error) error {
	return suite.InBubble(t, f)
}

// run runs summarize on log with srv and returns the summaries.
func run(ctx context.Context, summarize pulse.SummarizeFunc, srv *mock.Server, log []byte, cfg pulse.Config) ([]string, error) {
	return runReader(ctx, summarize, srv, strings.NewReader(string(log)), cfg, nil)
}

// runReader runs summarize on log with srv and returns the summaries; each is also passed to then, if set.
func runReader(ctx context.Context, summarize pulse.SummarizeFunc, srv *mock.Server, log io.Reader, cfg pulse.Config,
	then func(string) error) ([]string, error) {
	var (
		got     []string
		inEmit  atomic.Int32
		overlap atomic.Bool
	)
	err := summarize(ctx, pulse.MockUpstream(srv), log, cfg, func(s string) error {
		if inEmit.Add(1) > 1 {
			overlap.Store(true)
		}
		defer inEmit.Add(-1)
		got = append(got, s)
		if then != nil {
			return then(s)
		}
		return nil
	})
	if overlap.Load() {
		return got, errors.New("emit was called from two goroutines at once; want one at a time, in log order")
	}
	return got, err
}

// naive is what Naive makes of log: the summaries an assembly must match.
func naive(t *testing.T, log []byte) []string {
	var want []string
	err := pulse.Naive(t.Context(), pulse.MockUpstream(mock.New(mock.Config{})), strings.NewReader(string(log)),
		func(s string) error { want = append(want, s); return nil })
	if err != nil {
		panic(fmt.Sprintf("pulsetest: the naive run failed: %v", err))
	}
	return want
}

// same says how got differs from want.
func same(got, want []string) error {
	first := -1
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			first = i
			break
		}
	}
	switch {
	case len(got) < len(want):
		return fmt.Errorf("%d summaries for %d records: %d lost", len(got), len(want), len(want)-len(got))
	case len(got) > len(want):
		return fmt.Errorf("%d summaries for %d records: %d too many", len(got), len(want), len(got)-len(want))
	case first >= 0:
		return fmt.Errorf("summary %d of %d is not the naive version's: got %.50q…, want %.50q… (emitted out of "+
			"order, or the answer to another record); digest %.12s, want %.12s", first+1, len(want), got[first],
			want[first], pulse.Digest(got), pulse.Digest(want))
	}
	return nil
}

// stillRunning is an error if the mock is still serving calls after Summarize returned.
func stillRunning(srv *mock.Server) error {
	synctest.Wait() // whatever was cancelled has had its chance to end
	if n := srv.Stats().InFlight; n > 0 {
		return fmt.Errorf("%d calls still running at the mock after Summarize returned: end every call, the "+
			"caching client's shared ones too, when Summarize returns", n)
	}
	return nil
}

// limits runs a log that needs several minutes at rpm requests or tpm tokens a minute against a mock with the same
// limits (0: none), which starts with a full minute's allowance, as the limiter does.
func limits(t *testing.T, summarize pulse.SummarizeFunc, rpm, tpm int) error {
	return bubble(t, func(t *testing.T) error {
		log := distinctLog(30)
		srv := mock.New(mock.Config{TTFT: 2 * time.Second, InterToken: 20 * time.Millisecond, RPM: rpm, TPM: tpm})
		cfg := defaultConfig()
		cfg.Workers, cfg.RPM, cfg.TPM = 8, rpm, tpm
		got, err := run(t.Context(), summarize, srv, log, cfg)
		st := srv.Stats()
		if st.RateLimited > 0 {
			return fmt.Errorf("at %d requests and %d tokens a minute (0: no limit), the mock refused %d of %d "+
				"requests over its limits; want none: wait for the limiter before every call, retries included, "+
				"and settle every call", rpm, tpm, st.RateLimited, st.Requests)
		}
		if err != nil {
			return err
		}
		return same(got, naive(t, log))
	})
}

// siteLog is a generated log of size bytes.
func siteLog(size, seed int64) []byte {
	b, err := io.ReadAll(data.SiteLog(size, seed))
	if err != nil {
		panic(err)
	}
	return b
}

// distinctLog is n records whose requests all differ.
func distinctLog(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "timestamp: 2025-03-03T07:%02d:00Z\nsite: North Yard\ncrew: survey-%d\nevent: inspection\n"+
			"note: Setting-out checked on grid line %d; %d pegs replaced.\n\n", i%60, i, i, i%7+1)
	}
	return []byte(b.String())
}

// backToBack is distinct records, each written times times in a row, the whole repeated rounds times: repeats that
// arrive together, so that a cache alone (without merging identical calls in flight) calls more than once.
func backToBack(distinct, times, rounds int) []byte {
	var b strings.Builder
	n := 0
	for range rounds {
		for i := range distinct {
			for range times {
				fmt.Fprintf(&b, "timestamp: 2025-03-04T06:%02d:%02dZ\nsite: Riverside Depot\ncrew: crane-%d\n"+
					"event: inspection\nnote: Crane %d inspected, no defects.\n\n", n/60%60, n%60, i, i)
				n++
			}
		}
	}
	return []byte(b.String())
}
