// Package cost is week 5's contract and suite: what a request will cost before it is sent, how to make a prompt
// smaller without losing what it must say, how to route between a cheap and a strong model under a budget, and
// how to report a run by its tail rather than its average.
//
// The idea: a cost decision you can defend is one you measured. Tokens are counted with the model's own
// tokenizer (kit/tokens), priced with integer money from a dated table (kit/prices), and every run is
// summarised with percentiles (kit/metrics), so "before" and "after" are numbers, not impressions.
//
// exercises/cost and solutions/cost both build an Impl; Run checks one, a subtest per exercise.
package cost

import (
	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/kit/prices"
)

// Impl is what an implementation of the week provides; exercises/cost and solutions/cost both build one.
type Impl struct {
	// Estimate prices a request before it is sent (exercise "estimate").
	Estimate func(table prices.Table, req Request) (Estimate, error)
	// Optimize makes a prompt smaller and reports what each step saved (exercise "optimizer").
	Optimize func(p Prompt, opts Options) (Prompt, Report, error)
	// NewRouter builds a router from its configuration (exercise "router").
	NewRouter func(cfg RouterConfig) (Router, error)
	// NewTracker returns an empty performance tracker (exercise "tracker").
	NewTracker func() Tracker
	// Compare puts two summaries side by side (exercise "tracker").
	Compare func(before, after metrics.Summary) []Change
}
