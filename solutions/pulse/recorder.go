package pulse

import (
	"errors"
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
//
// The sample holds no pointers (no labels, no errors, times as numbers): a run with a small heap collects
// garbage often, and every collection would otherwise scan the whole sample again.
type Recorder struct {
	mu         sync.Mutex
	rng        *rand.Rand
	sample     []sampled
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
		r.sample = append(r.sample, sample(c))
	default: // Algorithm R: keep the n-th call with probability SampleSize/n
		if r.rng == nil {
			r.rng = rand.New(rand.NewPCG(1, 2))
		}
		if i := r.rng.IntN(r.n); i < SampleSize {
			r.sample[i] = sample(c)
		}
	}
}

// sampled is a call as the sample keeps it.
type sampled struct {
	start, latency, ttft             int64 // start in Unix nanoseconds
	prompt, cached, completion, cost int64
	hit, failed                      bool
}

func sample(c metrics.Call) sampled {
	return sampled{start: c.Start.UnixNano(), latency: int64(c.Latency), ttft: int64(c.TTFT),
		prompt: int64(c.PromptTokens), cached: int64(c.CachedTokens), completion: int64(c.CompletionTokens),
		cost: int64(c.Cost), hit: c.CacheHit, failed: c.Err != nil}
}

// errSampled stands for the error of a failed call in the sample, which keeps no errors.
var errSampled = errors.New("pulse: a failed call (the sample keeps no errors)")

func (s sampled) call() metrics.Call {
	c := metrics.Call{Start: time.Unix(0, s.start), Latency: time.Duration(s.latency), TTFT: time.Duration(s.ttft),
		PromptTokens: int(s.prompt), CachedTokens: int(s.cached), CompletionTokens: int(s.completion),
		Cost: prices.Money(s.cost), CacheHit: s.hit}
	if s.failed {
		c.Err = errSampled
	}
	return c
}

func (r *Recorder) calls() []metrics.Call {
	out := make([]metrics.Call, len(r.sample))
	for i, s := range r.sample {
		out[i] = s.call()
	}
	return out
}

// Len is the number of calls recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// Sample returns the sampled calls: every call, up to SampleSize of them. They have no labels or models, and
// a failed call's error is a stand-in.
func (r *Recorder) Sample() []metrics.Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls()
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
	s := metrics.Summarize(r.calls())
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
