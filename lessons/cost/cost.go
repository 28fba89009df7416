// Package cost is week 5's contract and suite: what a request will cost before it is sent, how to make a prompt
// smaller without losing what it must say, how to route between a cheap and a strong model under a budget, and
// how to report a run by its tail rather than its average.
//
// The idea: a cost decision you can defend is one you measured. Tokens are counted with the model's own
// tokenizer (lessons/tokens), priced with integer money from a dated table (lessons/prices), and every run is
// summarised with percentiles (lessons/metrics), so "before" and "after" are numbers, not impressions.
//
// exercises/cost and solutions/cost both build an Impl; Run checks one, a subtest per exercise.
package cost

import (
	"fmt"
	"testing"

	"github.com/llmperf/workbook/lessons/metrics"
	"github.com/llmperf/workbook/lessons/prices"
	"github.com/llmperf/workbook/lessons/todo"
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

// Exercises are the week's exercises in course order, as named in exercises/info.toml.
var Exercises = []string{"estimate", "optimizer", "router", "tracker"}

// Run checks impl: one subtest per exercise, named as in exercises/info.toml.
func Run(t *testing.T, impl Impl) {
	for _, name := range Exercises {
		todo.Run(t, name, func(t *testing.T) {
			t.Helper()
			for _, err := range Check(impl, name) {
				t.Error(err)
			}
		})
	}
}

// Check runs one exercise's part of the suite and returns what it found wrong (nil when nothing). Run reports
// these as test failures; the suite's own tests use Check to prove it rejects known-bad implementations.
func Check(impl Impl, exercise string) []error {
	switch exercise {
	case "estimate":
		return checkEstimate(impl.Estimate)
	case "optimizer":
		return checkOptimizer(impl.Optimize)
	case "router":
		return checkRouter(impl.NewRouter)
	case "tracker":
		return checkTracker(impl.NewTracker, impl.Compare)
	}
	return []error{fmt.Errorf("cost: no exercise %q", exercise)}
}

// findings collects what a check found wrong; each suite part returns them so the suite's own tests can assert
// that a known-bad implementation is rejected.
type findings []error

func (f *findings) errorf(format string, args ...any) { *f = append(*f, fmt.Errorf(format, args...)) }
