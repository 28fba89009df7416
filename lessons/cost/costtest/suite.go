package costtest

import (
	"fmt"
	"testing"

	"github.com/llmperf/workbook/lessons/cost"
	"github.com/llmperf/workbook/lessons/suite"
)

// Exercises are the week's exercises in course order, as named in kit/course/info.toml.
var Exercises = []string{"estimate", "optimizer", "router", "tracker"}

// Run checks impl: one subtest per exercise, named as in kit/course/info.toml.
func Run(t *testing.T, impl cost.Impl) {
	for _, name := range Exercises {
		suite.Exercise(t, name, func(t *testing.T) {
			t.Helper()
			for _, err := range Check(impl, name) {
				t.Error(err)
			}
		})
	}
}

// Check runs one exercise's part of the suite and returns what it found wrong (nil when nothing). Run reports
// these as test failures; the suite's own tests use Check to prove it rejects known-bad implementations.
func Check(impl cost.Impl, exercise string) []error {
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
