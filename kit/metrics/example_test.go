package metrics_test

import (
	"fmt"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
)

func Example() {
	var tr metrics.Tracker // ready to use, safe for concurrent Add
	start := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range 20 {
		lat := 300 * time.Millisecond
		if i == 19 {
			lat = 3 * time.Second // one slow call: the mean hides it, p99 shows it
		}
		tr.Add(metrics.Call{Start: start.Add(time.Duration(i) * 100 * time.Millisecond), Latency: lat,
			PromptTokens: 200, CompletionTokens: 40, Cost: 20_000})
	}
	fmt.Println(tr.Summary())
	// Output:
	// calls 20 (errors 0, cache hits 0 = 0.0%) in 4.9s
	// latency mean 435ms  p50 300ms  p95 300ms  p99 3s  max 3s
	// tokens in 4000 (cached 0)  out 800  163.3 tokens/s
	// cost $0.0004
}

func ExampleCompareRuns() {
	// Five runs of each version of a job, interleaved. The change halves the cost every time; the wall time moves
	// by 2 ms, far less than the runs differ among themselves.
	var before, after []metrics.Summary
	for i := range 5 {
		before = append(before, metrics.Summary{Count: 50, Cost: 5_000_000,
			Wall: 950*time.Millisecond + time.Duration(i%3)*20*time.Millisecond})
		after = append(after, metrics.Summary{Count: 50, Cost: 2_500_000,
			Wall: 948*time.Millisecond + time.Duration((i+1)%3)*20*time.Millisecond})
	}
	for _, r := range metrics.CompareRuns(before, after).Rows {
		if r.Name == "wall time" || r.Name == "cost" {
			fmt.Printf("%s: %s → %s (%s, %s): %s\n", r.Name, r.BeforeText, r.AfterText, r.RatioText(), r.PText(), r.Verdict())
		}
	}
	// One run each cannot tell a change from noise, however large the change looks.
	r, _ := metrics.Compare(before[0], after[0]).Row("cost")
	fmt.Printf("one run each: cost %s → %s: %s\n", r.BeforeText, r.AfterText, r.Verdict())
	// Output:
	// wall time: 970ms → 968ms (1.00×, p=1.000 n=5): no significant difference
	// cost: $0.005 → $0.0025 (0.50×, p=0.008 n=5): better
	// one run each: cost $0.005 → $0.0025: too few runs to tell
}
