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

func ExampleCompare() {
	before := metrics.Summary{Count: 50, Wall: 10 * time.Second, P50: 400 * time.Millisecond,
		P95: 2 * time.Second, Cost: 5_000_000}
	after := metrics.Summary{Count: 50, Wall: 2 * time.Second, P50: 100 * time.Millisecond,
		P95: 400 * time.Millisecond, HitRate: 0.5, Cost: 2_500_000}
	for _, r := range metrics.Compare(before, after).Rows {
		if r.Name == "p95 latency" || r.Name == "cost" || r.Name == "wall time" {
			fmt.Printf("%s: %s → %s (%s, %s)\n", r.Name, r.BeforeText, r.AfterText, r.RatioText(), r.Verdict())
		}
	}
	// Output:
	// wall time: 10s → 2s (0.20×, better)
	// p95 latency: 2s → 400ms (0.20×, better)
	// cost: $0.005 → $0.0025 (0.50×, better)
}
