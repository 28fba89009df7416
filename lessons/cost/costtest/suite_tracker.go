package costtest

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/lessons/cost"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

const ms = time.Millisecond

// handRun is twenty calls whose summary was worked out by hand. Call i (1…20) starts at (i−1)·50 ms and takes
// i·100 ms; they are added in a scrambled order. Calls 1…10 streamed with a time to first token of i·50 ms.
// Every call has 100 prompt tokens and 30 completion tokens and cost 1,000 nano-dollars; calls 1…4 had 64
// cached prompt tokens; calls 5…9 were cache hits; calls 19 and 20 failed.
func handRun() []metrics.Call {
	var calls []metrics.Call
	for k := range 20 {
		i := (k*7)%20 + 1 // 1, 8, 15, 2, 9, … : every i once, not in order
		c := metrics.Call{Label: fmt.Sprint("call ", i), Model: "gpt-4o-mini",
			Start: t0.Add(time.Duration(i-1) * 50 * ms), Latency: time.Duration(i) * 100 * ms,
			PromptTokens: 100, CompletionTokens: 30, Cost: 1000}
		if i <= 10 {
			c.TTFT = time.Duration(i) * 50 * ms
		}
		if i <= 4 {
			c.CachedTokens = 64
		}
		c.CacheHit = i >= 5 && i <= 9
		if i >= 19 {
			c.Err = errors.New("HTTP 503")
		}
		calls = append(calls, c)
	}
	return calls
}

// handSummary is handRun's summary, by hand:
//   - latencies 100…2000 ms: mean 1050 ms; nearest rank ⌈p/100·20⌉ gives p50 = 10th = 1000 ms, p95 = 19th =
//     1900 ms, p99 = 20th = 2000 ms;
//   - TTFT 50…500 ms over 10 calls: p50 = 5th = 250 ms, p95 = 10th = 500 ms;
//   - Wall: first start 0, last end 950 + 2000 = 2950 ms; 600 completion tokens / 2.95 s.
var handSummary = metrics.Summary{
	Count: 20, Errors: 2, CacheHits: 5,
	Wall: 2950 * ms, Mean: 1050 * ms, P50: 1000 * ms, P95: 1900 * ms, P99: 2000 * ms, Max: 2000 * ms,
	TTFTP50: 250 * ms, TTFTP95: 500 * ms,
	PromptTokens: 2000, CachedTokens: 256, CompletionTokens: 600,
	TokensPerSec: 600 / 2.95, HitRate: 0.25, Cost: 20_000,
}

// sameSummary compares summaries exactly, except TokensPerSec to a relative 1e-9.
func sameSummary(got, want metrics.Summary) bool {
	g, w := got, want
	g.TokensPerSec, w.TokensPerSec = 0, 0
	return g == w && math.Abs(got.TokensPerSec-want.TokensPerSec) <= 1e-9*math.Abs(want.TokensPerSec)
}

// summaryDiff lists the fields in which got differs from want.
func summaryDiff(got, want metrics.Summary) string {
	var diffs []string
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		a, b := g.Field(i).Interface(), w.Field(i).Interface()
		if af, ok := a.(float64); ok {
			if bf := b.(float64); math.Abs(af-bf) <= 1e-9*math.Abs(bf) {
				continue
			}
		} else if a == b {
			continue
		}
		diffs = append(diffs, fmt.Sprintf("%s = %v, want %v", g.Type().Field(i).Name, a, b))
	}
	return strings.Join(diffs, "; ")
}

func checkTracker(newTracker func() cost.Tracker, compare func(before, after metrics.Summary) []cost.Change) findings {
	var f findings
	// Empty: all zeros, no panic, no NaN. (In the test goroutine first.)
	t := newTracker()
	if s := t.Summary(); s != (metrics.Summary{}) {
		f.errorf("Summary of an empty tracker: %s; want the zero Summary", summaryDiff(s, metrics.Summary{}))
	}

	for _, c := range handRun() {
		t.Add(c)
	}
	if got := t.Summary(); !sameSummary(got, handSummary) {
		f.errorf("Summary of the hand-worked run (see handRun in lessons/cost): %s", summaryDiff(got, handSummary))
	}
	if again := t.Summary(); !sameSummary(again, handSummary) {
		f.errorf("a second Summary of the hand-worked run: %s", summaryDiff(again, handSummary))
	}

	// Nearest rank on sizes where interpolation or an off-by-one shows.
	for _, tc := range []struct {
		n             int // latencies 1…n ms, added in reverse
		p50, p95, p99 time.Duration
	}{
		{1, 1 * ms, 1 * ms, 1 * ms},
		{3, 2 * ms, 3 * ms, 3 * ms},
		{10, 5 * ms, 10 * ms, 10 * ms},
		{100, 50 * ms, 95 * ms, 99 * ms},
		{1000, 500 * ms, 950 * ms, 990 * ms},
	} {
		t := newTracker()
		for i := tc.n; i >= 1; i-- {
			t.Add(metrics.Call{Start: t0, Latency: time.Duration(i) * ms})
		}
		s := t.Summary()
		if s.P50 != tc.p50 || s.P95 != tc.p95 || s.P99 != tc.p99 || s.Max != time.Duration(tc.n)*ms {
			f.errorf("latencies 1…%d ms: p50/p95/p99/max = %v/%v/%v/%v; want %v/%v/%v/%v (nearest rank: the "+
				"value at rank ⌈p/100·n⌉, never an interpolation)", tc.n, s.P50, s.P95, s.P99, s.Max, tc.p50,
				tc.p95, tc.p99, time.Duration(tc.n)*ms)
		}
		if s.TTFTP50 != 0 || s.TTFTP95 != 0 {
			f.errorf("no call streamed, yet TTFT p50/p95 = %v/%v; want 0", s.TTFTP50, s.TTFTP95)
		}
	}

	// One instant call: Wall 0, so no throughput (and no NaN or Inf).
	t = newTracker()
	t.Add(metrics.Call{Start: t0, CompletionTokens: 10})
	if s := t.Summary(); s.TokensPerSec != 0 || s.Count != 1 || s.HitRate != 0 {
		f.errorf("one call of zero latency: Count %d, TokensPerSec %v, HitRate %v; want 1, 0, 0", s.Count,
			s.TokensPerSec, s.HitRate)
	}

	f = append(f, checkTrackerConcurrent(newTracker)...)
	f = append(f, checkCompare(compare)...)
	return f
}

// checkTrackerConcurrent adds from many goroutines while others summarise; run it with -race.
func checkTrackerConcurrent(newTracker func() cost.Tracker) findings {
	var f findings
	const writers, each = 50, 40
	t := newTracker()
	t.Add(metrics.Call{Start: t0, Latency: 5 * time.Second, CompletionTokens: 1, Cost: 1})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				t.Add(metrics.Call{Start: t0, Latency: time.Duration(w*each+i+1) * ms, PromptTokens: 2,
					CompletionTokens: 1, Cost: 1, CacheHit: i%4 == 0})
			}
		})
	}
	var mu sync.Mutex
	var during error
	for range 4 {
		wg.Go(func() {
			for range 20 {
				if s := t.Summary(); s.Count < 1 || s.Max != 5*time.Second {
					mu.Lock()
					during = fmt.Errorf("Summary during concurrent Adds: Count %d, Max %v; want at least the "+
						"first call (5s)", s.Count, s.Max)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if during != nil {
		f = append(f, during)
	}
	n := 1 + writers*each
	s := t.Summary()
	if s.Count != n || s.CompletionTokens != n || s.PromptTokens != 2*(n-1) || s.Cost != prices.Money(n) ||
		s.CacheHits != writers*each/4 || s.P50 != time.Duration(n/2+1)*ms {
		f.errorf("%d goroutines × %d Adds (+1): Count %d, CompletionTokens %d, PromptTokens %d, Cost %d, "+
			"CacheHits %d, p50 %v; want %d, %d, %d, %d, %d, %v (lost updates? guard the samples with a mutex)",
			writers, each, s.Count, s.CompletionTokens, s.PromptTokens, int64(s.Cost), s.CacheHits, s.P50,
			n, n, 2*(n-1), n, writers*each/4, time.Duration(n/2+1)*ms)
	}
	return f
}

func checkCompare(compare func(before, after metrics.Summary) []cost.Change) findings {
	var f findings
	before := metrics.Summary{Count: 100, Errors: 4, Mean: 800 * ms, P50: 500 * ms, P95: 3000 * ms, P99: 4000 * ms,
		TTFTP50: 400 * ms, TTFTP95: 2500 * ms, TokensPerSec: 50, Cost: 2 * prices.Cent}
	after := metrics.Summary{Count: 100, Errors: 0, Mean: 400 * ms, P50: 250 * ms, P95: 600 * ms, P99: 900 * ms,
		TTFTP50: 100 * ms, TTFTP95: 300 * ms, TokensPerSec: 125, Cost: prices.Cent / 2, HitRate: 0.5}
	want := []cost.Change{
		{Metric: "mean latency ms", Before: 800, After: 400, Ratio: 0.5},
		{Metric: "p50 latency ms", Before: 500, After: 250, Ratio: 0.5},
		{Metric: "p95 latency ms", Before: 3000, After: 600, Ratio: 0.2},
		{Metric: "p99 latency ms", Before: 4000, After: 900, Ratio: 0.225},
		{Metric: "p50 TTFT ms", Before: 400, After: 100, Ratio: 0.25},
		{Metric: "p95 TTFT ms", Before: 2500, After: 300, Ratio: 0.12},
		{Metric: "tokens/s", Before: 50, After: 125, Ratio: 2.5},
		{Metric: "cost $", Before: 0.02, After: 0.005, Ratio: 0.25},
		{Metric: "hit rate %", Before: 0, After: 50, Ratio: 0},
		{Metric: "errors", Before: 4, After: 0, Ratio: 0},
	}
	got := compare(before, after)
	if len(got) != len(want) {
		return append(f, fmt.Errorf("Compare: %d rows, want %d, one per ChangeMetrics entry in order: %q", len(got),
			len(want), cost.ChangeMetrics))
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for i, w := range want {
		g := got[i]
		if g.Metric != w.Metric || !near(g.Before, w.Before) || !near(g.After, w.After) || !near(g.Ratio, w.Ratio) {
			f.errorf("Compare row %d = %+v; want %+v (units: ms, tokens/s, $, %%, count; Ratio = After/Before, 0 "+
				"when Before is 0)", i, g, w)
		}
	}
	if rows := compare(metrics.Summary{}, metrics.Summary{}); len(rows) != len(want) {
		f.errorf("Compare of two empty summaries: %d rows; want %d", len(rows), len(want))
	} else {
		for _, r := range rows {
			if r.Before != 0 || r.After != 0 || r.Ratio != 0 {
				f.errorf("Compare of two empty summaries: row %+v; want zeros (no NaN)", r)
			}
		}
	}
	return f
}
