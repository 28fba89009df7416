package cost

import "github.com/llmperf/workbook/lessons/metrics"

// Tracker records calls and summarises them; the learner's own version of metrics.Tracker. Summary follows the
// definitions documented on metrics.Summary (nearest-rank percentiles, throughput over Wall, hit rate over all
// calls) and is all zeros when nothing was recorded. It is safe for concurrent use.
type Tracker interface {
	Add(c metrics.Call)
	Summary() metrics.Summary
}

// Change is one metric before and after: a row of a before/after comparison.
type Change struct {
	Metric        string
	Before, After float64
	// Ratio is After/Before; 0 when Before is 0.
	Ratio float64
}

func checkTracker(newTracker func() Tracker, compare func(before, after metrics.Summary) []Change) findings {
	return nil
}
