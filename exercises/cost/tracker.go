package cost

import (
	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/lessons/cost"
	"github.com/llmperf/workbook/lessons/todo"
)

// Change is one measure before and after (see lessons/cost).
type Change = cost.Change

// Tracker records calls and summarises them by percentiles. The zero value must be ready to use, and every
// method safe for concurrent use.
type Tracker struct {
	// Add what you need: a sync.Mutex and the calls.
}

// Add records one call.
func (t *Tracker) Add(c metrics.Call) {
	todo.Exercise("tracker") // delete this line and record the call (under the lock)
}

// Summary summarises the calls so far, as metrics.Summary documents each field: latency mean, p50, p95, p99 and
// max over every call; TTFT p50 and p95 over calls with TTFT > 0; Wall from the earliest Start to the latest
// Start+Latency; TokensPerSec = completion tokens / Wall; HitRate = cache hits / calls; totals of tokens and cost.
// Percentiles are nearest rank: sort a copy and take the value at rank ⌈p/100·n⌉ (1-based). With no calls,
// return the zero Summary: no panic, no NaN.
//
// The suite checks a run of 20 calls summarised by hand (lessons/cost/costtest, handRun), nearest rank on 1, 3,
// 10, 100 and 1,000 calls, the empty and the single instant call, and 50 goroutines adding while 4 summarise
// (with the race detector on, a Tracker without a mutex fails here on every run).
func (t *Tracker) Summary() metrics.Summary {
	todo.Exercise("tracker") // delete this line and write the summary
	return metrics.Summary{}
}

// Compare sets before and after side by side: one Change per cost.ChangeMetrics entry, in that order, in the
// units listed there, with Ratio = After/Before (0 when Before is 0).
func Compare(before, after metrics.Summary) []Change {
	todo.Exercise("tracker") // delete this line and write the comparison
	return nil
}
