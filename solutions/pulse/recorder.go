package pulse

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/kit/prices"
)

// SampleSize is how many calls a Recorder keeps for percentiles; TimelineSize how many of the first calls it keeps
// for a timeline.
const (
	SampleSize   = 4096
	TimelineSize = 120
)

// Recorder is a metrics.Tracker whose memory does not grow with the number of calls: it keeps exact totals
// (count, errors, cache hits, tokens, cost, mean, max, wall) and a uniform random sample of SampleSize calls
// (reservoir sampling) for the percentiles. Up to SampleSize calls its Summary is exactly metrics.Summarize's.
// The zero Recorder is ready; it is safe for concurrent use.
type Recorder struct {
	mu         sync.Mutex
	rng        *rand.Rand
	sample     []metrics.Call
	first      []metrics.Call
	n          int
	errs, hits int
	prompt     int
	cached     int
	completion int
	cost       prices.Money
	sum, max   time.Duration
	start, end time.Time
}

// Add records one call.
func (r *Recorder) Add(c metrics.Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if c.Err != nil {
		r.errs++
	}
	if c.CacheHit {
		r.hits++
	}
	r.prompt += c.PromptTokens
	r.cached += c.CachedTokens
	r.completion += c.CompletionTokens
	r.cost += c.Cost
	r.sum += c.Latency
	r.max = max(r.max, c.Latency)
	if r.n == 1 || c.Start.Before(r.start) {
		r.start = c.Start
	}
	if end := c.End(); end.After(r.end) {
		r.end = end
	}
	if len(r.first) < TimelineSize {
		r.first = append(r.first, c)
	}
	switch {
	case len(r.sample) < SampleSize:
		r.sample = append(r.sample, c)
	default: // Algorithm R: keep the n-th call with probability SampleSize/n
		if r.rng == nil {
			r.rng = rand.New(rand.NewPCG(1, 2))
		}
		if i := r.rng.IntN(r.n); i < SampleSize {
			r.sample[i] = c
		}
	}
}

// Len is the number of calls recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// Sample returns a copy of the sampled calls: every call, up to SampleSize of them.
func (r *Recorder) Sample() []metrics.Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]metrics.Call(nil), r.sample...)
}

// First returns a copy of the first TimelineSize calls, in the order they were recorded.
func (r *Recorder) First() []metrics.Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]metrics.Call(nil), r.first...)
}

// Summary summarises the calls: totals, mean, max and wall exactly, percentiles from the sample.
func (r *Recorder) Summary() metrics.Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := metrics.Summarize(r.sample)
	if r.n <= len(r.sample) {
		return s // the sample is every call
	}
	s.Count, s.Errors, s.CacheHits = r.n, r.errs, r.hits
	s.PromptTokens, s.CachedTokens, s.CompletionTokens = r.prompt, r.cached, r.completion
	s.Cost = r.cost
	s.Mean, s.Max = r.sum/time.Duration(r.n), r.max
	s.Wall = r.end.Sub(r.start)
	s.HitRate = float64(r.hits) / float64(r.n)
	s.TokensPerSec = 0
	if s.Wall > 0 {
		s.TokensPerSec = float64(r.completion) / s.Wall.Seconds()
	}
	return s
}
