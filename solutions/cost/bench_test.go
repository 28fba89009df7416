package cost_test

import (
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/solutions/cost"
)

func BenchmarkEstimateCost(b *testing.B) {
	req := cost.Request{Chat: openai.ChatCompletionRequest{Model: "gpt-4o-mini", MaxTokens: 200,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: strings.Repeat("Follow the site safety rules. ", 50)},
			{Role: openai.ChatMessageRoleUser, Content: "What should today's report say?"},
		}}}
	table := prices.Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cost.EstimateCost(table, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOptimize(b *testing.B) {
	p := cost.Prompt{
		System:   "You are a helpful assistant.\n\n  Answer as a site engineer.  ",
		Context:  []string{strings.Repeat("Crane inspected.  ", 40), strings.Repeat("Crane inspected. ", 40)},
		Examples: []cost.Example{{Input: "a", Output: "b"}, {Input: "c", Output: "d"}},
		Question: "What changed?",
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := cost.Optimize(p, cost.Options{Budget: 200}); err != nil {
			b.Fatal(err)
		}
	}
}

// calls is a run of n calls with varied latencies.
func calls(n int) []metrics.Call {
	start := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	cs := make([]metrics.Call, n)
	for i := range cs {
		cs[i] = metrics.Call{Start: start.Add(time.Duration(i) * time.Millisecond),
			Latency: time.Duration((i*7919)%1000+1) * time.Millisecond, CompletionTokens: 40, Cost: 1000}
	}
	return cs
}

// BenchmarkSummary times this package's Tracker.Summary against kit/metrics (the course's library
// version) on the same 10,000 calls, alternating them in one loop, and reports the ratio of their times.
func BenchmarkSummary(b *testing.B) {
	cs := calls(10_000)
	var mine cost.Tracker
	var lib metrics.Tracker
	for _, c := range cs {
		mine.Add(c)
		lib.Add(c)
	}
	var mineT, libT time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t := time.Now()
		_ = mine.Summary()
		mineT += time.Since(t)
		t = time.Now()
		_ = lib.Summary()
		libT += time.Since(t)
	}
	if libT > 0 {
		b.ReportMetric(float64(mineT)/float64(libT), "solution/metrics")
	}
}

func BenchmarkTrackerAddParallel(b *testing.B) {
	var t cost.Tracker
	c := metrics.Call{Latency: time.Millisecond, CompletionTokens: 10}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			t.Add(c)
		}
	})
}
