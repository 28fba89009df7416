package metrics

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/llmperf/workbook/kit/prices"
)

// Summary describes a run of calls. The zero Summary (no calls) has only zero values: no NaN, no panic.
type Summary struct {
	Count, Errors, CacheHits int

	// Wall is the span of the run: from the earliest Start to the latest Start+Latency.
	Wall time.Duration
	// Mean, P50, P95, P99 and Max are over the latencies of all calls, failed and cached ones included: a fast
	// failure or a cache hit is still what the user waited for. Percentiles are nearest-rank (see Percentile).
	Mean, P50, P95, P99, Max time.Duration
	// TTFTP50 and TTFTP95 are over the calls that report a time to first token (TTFT > 0), i.e. streamed ones.
	TTFTP50, TTFTP95 time.Duration

	PromptTokens, CachedTokens, CompletionTokens int
	// TokensPerSec is the run's throughput: completion tokens divided by Wall (not by the sum of latencies), so
	// calls made concurrently raise it. 0 when Wall is 0.
	TokensPerSec float64
	// HitRate is CacheHits / Count: the share of calls answered by the application's cache. 0 when Count is 0.
	HitRate float64
	Cost    prices.Money
}

// Summarize computes the Summary of calls (it does not modify them).
func Summarize(calls []Call) Summary {
	var s Summary
	s.Count = len(calls)
	if s.Count == 0 {
		return s
	}
	lat := make([]time.Duration, 0, len(calls))
	var ttft []time.Duration
	var sum time.Duration
	first, last := calls[0].Start, calls[0].End()
	for _, c := range calls {
		if c.Err != nil {
			s.Errors++
		}
		if c.CacheHit {
			s.CacheHits++
		}
		lat = append(lat, c.Latency)
		sum += c.Latency
		if c.TTFT > 0 {
			ttft = append(ttft, c.TTFT)
		}
		if c.Start.Before(first) {
			first = c.Start
		}
		if e := c.End(); e.After(last) {
			last = e
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
	s.P50, s.P95, s.P99 = sortedPercentile(lat, 50), sortedPercentile(lat, 95), sortedPercentile(lat, 99)
	s.Max = lat[len(lat)-1]
	s.TTFTP50, s.TTFTP95 = sortedPercentile(ttft, 50), sortedPercentile(ttft, 95)
	if s.Wall > 0 {
		s.TokensPerSec = float64(s.CompletionTokens) / s.Wall.Seconds()
	}
	s.HitRate = float64(s.CacheHits) / float64(s.Count)
	return s
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of ds by the nearest-rank method: sort the n values and
// take the one at rank ⌈p/100 × n⌉ (1-based). The result is always one of the values, never an interpolation,
// so "p99 = 2s" means a call really took 2s. p ≤ 0 gives the minimum; an empty slice gives 0. ds is not
// modified.
func Percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return sortedPercentile(s, p)
}

func sortedPercentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// Rank in integer steps of 1/1000 of a percent avoids float surprises such as 0.95*100 = 94.999….
	milli := int64(p*1000 + 0.5)
	rank := int((milli*int64(n) + 100_000 - 1) / 100_000) // ⌈p/100 × n⌉
	return sorted[min(max(rank, 1), n)-1]
}

// String is a short multi-line report of s.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "calls %d (errors %d, cache hits %d = %.1f%%) in %v\n", s.Count, s.Errors, s.CacheHits,
		100*s.HitRate, round(s.Wall))
	fmt.Fprintf(&b, "latency mean %v  p50 %v  p95 %v  p99 %v  max %v\n", round(s.Mean), round(s.P50),
		round(s.P95), round(s.P99), round(s.Max))
	if s.TTFTP50 > 0 {
		fmt.Fprintf(&b, "time to first token p50 %v  p95 %v\n", round(s.TTFTP50), round(s.TTFTP95))
	}
	fmt.Fprintf(&b, "tokens in %d (cached %d)  out %d  %.1f tokens/s\n", s.PromptTokens, s.CachedTokens,
		s.CompletionTokens, s.TokensPerSec)
	fmt.Fprintf(&b, "cost %v", s.Cost)
	return b.String()
}

// round shortens a duration for people: 3 significant digits at most.
func round(d time.Duration) time.Duration {
	switch {
	case d >= 100*time.Second:
		return d.Round(time.Second)
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d >= time.Microsecond:
		return d.Round(time.Microsecond)
	default:
		return d
	}
}
