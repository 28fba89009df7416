package cost

import (
	"slices"
	"sync"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/lessons/cost"
)

// Change is one measure before and after (see lessons/cost).
type Change = cost.Change

// Tracker records calls and summarises them by percentiles. The zero value is ready; it is safe for concurrent
// use.
//
// This percentile code is the lesson, not a second copy of a library: the tracker exercise has the learner write
// nearest-rank percentiles, a mutex and the empty case by hand, and this is the reference answer. The course's
// own tracker, the one everything else uses, is kit/metrics; BenchmarkSummary compares the two in one run.
type Tracker struct {
	mu    sync.Mutex
	calls []metrics.Call
}

// Add records one call.
func (t *Tracker) Add(c metrics.Call) {
	t.mu.Lock()
	t.calls = append(t.calls, c)
	t.mu.Unlock()
}

// Summary summarises the calls so far; with none it is the zero Summary.
func (t *Tracker) Summary() metrics.Summary {
	t.mu.Lock()
	calls := slices.Clone(t.calls) // summarise outside the lock, so Add never waits for a sort
	t.mu.Unlock()

	var s metrics.Summary
	s.Count = len(calls)
	if s.Count == 0 {
		return s
	}
	lat := make([]time.Duration, 0, len(calls))
	var ttft []time.Duration
	var sum time.Duration
	first, last := calls[0].Start, calls[0].End()
	for _, c := range calls {
		lat = append(lat, c.Latency)
		sum += c.Latency
		if c.TTFT > 0 {
			ttft = append(ttft, c.TTFT)
		}
		if c.Err != nil {
			s.Errors++
		}
		if c.CacheHit {
			s.CacheHits++
		}
		if c.Start.Before(first) {
			first = c.Start
		}
		if c.End().After(last) {
			last = c.End()
		}
		s.PromptTokens += c.PromptTokens
		s.CachedTokens += c.CachedTokens
		s.CompletionTokens += c.CompletionTokens
		s.Cost += c.Cost
	}
	slices.Sort(lat)
	slices.Sort(ttft)
	s.Wall = last.Sub(first)
	s.Mean = sum / time.Duration(s.Count)
	s.P50, s.P95, s.P99 = nearestRank(lat, 50), nearestRank(lat, 95), nearestRank(lat, 99)
	s.Max = lat[len(lat)-1]
	s.TTFTP50, s.TTFTP95 = nearestRank(ttft, 50), nearestRank(ttft, 95)
	if s.Wall > 0 {
		s.TokensPerSec = float64(s.CompletionTokens) / s.Wall.Seconds()
	}
	s.HitRate = float64(s.CacheHits) / float64(s.Count)
	return s
}

// nearestRank is the p-th percentile of sorted values: the value at rank ⌈p/100·n⌉ (1-based); 0 when empty.
// p is a whole number of percent, so the rank is computed in integers: no 0.95·100 = 94.99… surprise.
func nearestRank(sorted []time.Duration, p int) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100
	return sorted[min(max(rank, 1), n)-1]
}

// Compare sets before and after side by side, one Change per cost.ChangeMetrics entry, in that order.
func Compare(before, after metrics.Summary) []Change {
	msOf := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	rows := []Change{
		{Metric: "mean latency ms", Before: msOf(before.Mean), After: msOf(after.Mean)},
		{Metric: "p50 latency ms", Before: msOf(before.P50), After: msOf(after.P50)},
		{Metric: "p95 latency ms", Before: msOf(before.P95), After: msOf(after.P95)},
		{Metric: "p99 latency ms", Before: msOf(before.P99), After: msOf(after.P99)},
		{Metric: "p50 TTFT ms", Before: msOf(before.TTFTP50), After: msOf(after.TTFTP50)},
		{Metric: "p95 TTFT ms", Before: msOf(before.TTFTP95), After: msOf(after.TTFTP95)},
		{Metric: "tokens/s", Before: before.TokensPerSec, After: after.TokensPerSec},
		{Metric: "cost $", Before: before.Cost.Dollars(), After: after.Cost.Dollars()},
		{Metric: "hit rate %", Before: 100 * before.HitRate, After: 100 * after.HitRate},
		{Metric: "errors", Before: float64(before.Errors), After: float64(after.Errors)},
	}
	for i, r := range rows {
		if r.Before != 0 {
			rows[i].Ratio = r.After / r.Before
		}
	}
	return rows
}
