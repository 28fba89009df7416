package pulse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/lessons/pulse/pulsetest"
	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/llmperf/workbook/solutions/streaming"
)

// siteLog is a small generated log.
func siteLog(t testing.TB, size int64) []byte {
	t.Helper()
	b, err := io.ReadAll(data.SiteLog(size, 3))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runCollect runs mode and returns its result and its unit summaries in order.
func runCollect(t *testing.T, mode string, up Upstream, log []byte, opt Options) (Result, []string) {
	t.Helper()
	var got []string
	opt.OnSummary = func(i int, s string) {
		if i != len(got) {
			t.Errorf("%s: summary %d arrived as number %d", mode, i, len(got))
		}
		got = append(got, s)
	}
	res, err := Run(context.Background(), mode, up, bytes.NewReader(log), opt)
	if err != nil {
		t.Fatalf("%s: %v", mode, err)
	}
	return res, got
}

func TestModesGiveTheSameSummaries(t *testing.T) {
	log := siteLog(t, 24<<10)
	records := 0
	for _, err := range streaming.Records(bytes.NewReader(log)) {
		if err != nil {
			t.Fatal(err)
		}
		records++
	}
	for _, tc := range []struct {
		name string
		up   func() Upstream
		opt  Options
	}{
		{"mock per record", func() Upstream { return NewMock(mock.Config{}) }, Options{}},
		{"mock batch 3 group 4", func() Upstream { return NewMock(mock.Config{}) }, Options{Batch: 3, Group: 4, Workers: 3}},
		{"instant per record", NewInstant, Options{Workers: 16}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, naiveSums := runCollect(t, ModeNaive, tc.up(), log, tc.opt)
			o, optSums := runCollect(t, ModeOptimized, tc.up(), log, tc.opt)
			if !slices.Equal(naiveSums, optSums) {
				t.Fatalf("the modes' summaries differ:\nnaive     %d %q…\noptimized %d %q…", len(naiveSums),
					naiveSums[:2], len(optSums), optSums[:2])
			}
			if n.Digest != o.Digest || n.Final != o.Final || n.Final == "" {
				t.Errorf("digest %s vs %s, final %q vs %q", n.Digest, o.Digest, n.Final, o.Final)
			}
			batch := max(tc.opt.Batch, 1)
			for _, r := range []Result{n, o} {
				if r.Records != records || r.Units != (records+batch-1)/batch || r.Bytes != int64(len(log)) {
					t.Errorf("%s: %d records in %d units over %d bytes; want %d records, %d bytes", r.Mode,
						r.Records, r.Units, r.Bytes, records, len(log))
				}
			}
		})
	}
}

// repeatingLog is distinct records, each repeated times times, in rounds: r0 r1 … r0 r1 …
func repeatingLog(distinct, times int) []byte {
	var b bytes.Buffer
	for range times {
		for i := range distinct {
			fmt.Fprintf(&b, "timestamp: 2025-03-03T06:%02d:00Z\nsite: Riverside Depot\ncrew: crane-%d\n"+
				"event: inspection\nnote: Crane %d inspected, no defects.\n\n", i, i, i)
		}
	}
	return b.Bytes()
}

func TestOptimizedCallsOncePerDistinctRecord(t *testing.T) {
	const distinct, times = 8, 6
	log := repeatingLog(distinct, times)
	nUp, oUp := NewMock(mock.Config{}), NewMock(mock.Config{})
	n, naiveSums := runCollect(t, ModeNaive, nUp, log, Options{})
	o, optSums := runCollect(t, ModeOptimized, oUp, log, Options{Workers: 8})
	if !slices.Equal(naiveSums, optSums) {
		t.Fatal("the modes' summaries differ")
	}
	nStats, oStats := nUp.Mock.Stats(), oUp.Mock.Stats()
	if n.Requests != nStats.Requests || o.Requests != oStats.Requests {
		t.Errorf("requests counted %d and %d; the mocks saw %d and %d", n.Requests, o.Requests, nStats.Requests,
			oStats.Requests)
	}
	// Every record's summary call is one request in naive mode; in optimized mode only the first of each
	// distinct record reaches the model, whether the others find it cached or in flight.
	recordCalls := int64(distinct * times)
	if saved := nStats.Requests - oStats.Requests; saved < recordCalls-distinct {
		t.Errorf("optimized made %d requests, naive %d: want at least %d fewer", oStats.Requests,
			nStats.Requests, recordCalls-distinct)
	}
	if o.Hits+o.Shared < recordCalls-distinct {
		t.Errorf("cache hits %d + shared %d; want at least %d", o.Hits, o.Shared, recordCalls-distinct)
	}
	if o.Summary.CacheHits != int(o.Hits+o.Shared) || o.Summary.Count != n.Summary.Count {
		t.Errorf("summary counts %d calls with %d hits; want %d calls with %d", o.Summary.Count,
			o.Summary.CacheHits, n.Summary.Count, o.Hits+o.Shared)
	}
	if o.Summary.Cost >= n.Summary.Cost || o.Summary.Cost <= 0 {
		t.Errorf("optimized cost %v, naive %v: want less, and more than nothing", o.Summary.Cost, n.Summary.Cost)
	}
}

func TestOptimizedKeepsUnderTheLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const rpm, tpm = 30, 8000
		up := NewMock(mock.Config{TTFT: 3 * time.Second, InterToken: 20 * time.Millisecond, RPM: rpm,
			TPM: tpm, Seed: 2})
		log := siteLog(t, 8<<10)
		start := time.Now()
		res, err := Run(t.Context(), ModeOptimized, up, bytes.NewReader(log), Options{Workers: 8, RPM: rpm, TPM: tpm})
		if err != nil {
			t.Fatal(err)
		}
		st := up.Mock.Stats()
		if st.ByStatus[429] != 0 || st.RateLimited != 0 || res.Status429 != 0 || res.Retries != 0 {
			t.Errorf("the mock answered %d 429s (%d from its limits); %d retries", st.ByStatus[429],
				st.RateLimited, res.Retries)
		}
		if res.Units == 0 || res.Final == "" {
			t.Fatalf("nothing summarized: %+v", res)
		}
		// Requests are spaced 60/rpm seconds apart: the run cannot be shorter.
		if min := time.Duration(st.Requests-1) * time.Minute / rpm; time.Since(start) < min {
			t.Errorf("%d requests took %v of virtual time; %d per minute needs at least %v", st.Requests,
				time.Since(start), rpm, min)
		}
		if st.PeakConcurrent < 2 {
			t.Errorf("peak concurrency %d: the workers never overlapped", st.PeakConcurrent)
		}
	})
}

func TestOptimizedSurvivesFaults(t *testing.T) {
	log := siteLog(t, 16<<10)
	_, want := runCollect(t, ModeNaive, NewMock(mock.Config{}), log, Options{})
	synctest.Test(t, func(t *testing.T) {
		up := NewMock(mock.Config{TTFT: 100 * time.Millisecond, FaultRate: 0.3, Seed: 5,
			Faults: []mock.Fault{mock.Fault500, mock.Fault503, mock.Fault429, mock.FaultDrop}})
		opt := Options{Workers: 6, Backoff: concurrency.Backoff{Base: 50 * time.Millisecond, Cap: 2 * time.Second,
			MaxAttempts: 30, Seed: 1}}
		res, got := runCollect(t, ModeOptimized, up, log, opt)
		if !slices.Equal(got, want) {
			t.Fatalf("with faults: %d summaries, want %d, or they differ: lost, duplicated or reordered records",
				len(got), len(want))
		}
		st := up.Mock.Stats()
		faults := int64(0)
		for _, n := range st.Faults {
			faults += n
		}
		if faults == 0 || res.Retries < faults || res.Requests != st.Requests {
			t.Errorf("%d faults injected, %d retries, %d requests counted (the mock saw %d)", faults,
				res.Retries, res.Requests, st.Requests)
		}
	})
}

func TestNaiveStopsAtTheFirstFault(t *testing.T) {
	up := NewMock(mock.Config{FaultRate: 0.5, Seed: 5, Faults: []mock.Fault{mock.Fault500}})
	res, err := Run(context.Background(), ModeNaive, up, bytes.NewReader(siteLog(t, 16<<10)), Options{})
	if err == nil || !strings.Contains(err.Error(), "summary ") || res.Err == "" {
		t.Fatalf("err = %v, Result.Err = %q; want the summary that failed named", err, res.Err)
	}
	if res.Summary.Errors != 1 {
		t.Errorf("%d failed calls recorded, want 1", res.Summary.Errors)
	}
}

func TestBadInput(t *testing.T) {
	up := NewInstant()
	for _, tc := range []struct {
		name, mode string
		r          io.Reader
		opt        Options
		want       string
	}{
		{"unknown mode", "fast", strings.NewReader("a\n"), Options{}, "-mode"},
		{"group of one", ModeOptimized, strings.NewReader("a\n"), Options{Group: 1}, "-group"},
		{"negative workers", ModeOptimized, strings.NewReader("a\n"), Options{Workers: -1}, "-workers"},
		{"negative rpm", ModeOptimized, strings.NewReader("a\n"), Options{RPM: -1}, "-rpm"},
		{"naive read error", ModeNaive, io.MultiReader(strings.NewReader("a\n\n"), iotest.ErrReader(errBroken)),
			Options{}, "broken disk"},
		{"optimized read error", ModeOptimized, io.MultiReader(strings.NewReader("a\n\n"),
			iotest.ErrReader(errBroken)), Options{}, "broken disk"},
		{"request over the token limit", ModeOptimized, strings.NewReader(strings.Repeat("x", 5000) + "\n"),
			Options{TPM: 1000}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.mode, up, tc.r, tc.opt)
			if tc.want == "" {
				if err != nil { // a request bigger than the burst waits for a full bucket; it is not refused
					t.Fatalf("err = %v; want the big request to pass once the bucket is full", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want it to mention %q", err, tc.want)
			}
		})
	}
}

var errBroken = errors.New("broken disk")

func TestEmptyLog(t *testing.T) {
	for _, mode := range []string{ModeNaive, ModeOptimized} {
		res, err := Run(context.Background(), mode, NewInstant(), strings.NewReader("\n\n  \n"), Options{})
		if err != nil || res.Records != 0 || res.Final != "" || res.Requests != 0 {
			t.Errorf("%s: %+v, %v; want nothing done and no error", mode, res, err)
		}
	}
}

func TestSplitRecordsReadsLikeRecords(t *testing.T) {
	for _, log := range []string{
		string(siteLog(t, 64<<10)),
		"a\r\nb\r\n\r\n\r\nc",
		" \t\nx\n \ny\n\n\n",
		"",
		"one line, no newline",
	} {
		var want []string
		for r, err := range streaming.Records(strings.NewReader(log)) {
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, r)
		}
		if got := splitRecords(log); !slices.Equal(got, want) {
			t.Errorf("splitRecords(%.40q…) = %d records, streaming.Records %d", log, len(got), len(want))
		}
	}
}

func TestCancelEndsEveryGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		up := NewMock(mock.Config{TTFT: time.Hour})
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		_, err := Run(ctx, ModeOptimized, up, bytes.NewReader(siteLog(t, 8<<10)), Options{Workers: 4})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v; want the deadline", err)
		}
		synctest.Wait() // every goroutine the run started must have ended: the bubble would not end otherwise
		if n := up.Mock.Stats().InFlight; n != 0 {
			t.Errorf("%d requests still in flight after the run ended", n)
		}
	})
}

// TestPulse runs the capstone exercise's suite on Summarize: go test ./solutions/pulse -run TestPulse.
func TestPulse(t *testing.T) { pulsetest.Run(t, Impl()) }
