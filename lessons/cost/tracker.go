package cost

import "github.com/llmperf/workbook/kit/metrics"

// Tracker records calls and summarises them: the learner's own version of metrics.Tracker. Summary follows the
// definitions documented on metrics.Summary — latency percentiles by nearest rank over every call, time to first
// token over calls that report one, throughput as completion tokens per second of Wall, hit rate over all calls
// — and is the zero Summary when nothing was recorded. Both methods are safe for concurrent use.
type Tracker interface {
	Add(c metrics.Call)
	Summary() metrics.Summary
}

// Change is one measure before and after: a row of a before/after comparison.
type Change struct {
	Metric        string  // one of ChangeMetrics
	Before, After float64 // in the metric's unit
	Ratio         float64 // After / Before; 0 when Before is 0
}

// ChangeMetrics are the rows a comparison has, in order, with their units: durations in milliseconds,
// throughput in completion tokens per second, cost in dollars, hit rate in percent, errors as a count.
var ChangeMetrics = []string{
	"mean latency ms", "p50 latency ms", "p95 latency ms", "p99 latency ms",
	"p50 TTFT ms", "p95 TTFT ms",
	"tokens/s", "cost $", "hit rate %", "errors",
}
