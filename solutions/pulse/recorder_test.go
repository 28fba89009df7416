package pulse

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/kit/prices"
)

func randomCalls(n int) []metrics.Call {
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2025, 3, 3, 6, 0, 0, 0, time.UTC)
	calls := make([]metrics.Call, n)
	for i := range calls {
		c := metrics.Call{Label: "record", Start: t0.Add(time.Duration(rng.IntN(1000)) * time.Millisecond),
			Latency: time.Duration(1+rng.IntN(900)) * time.Millisecond, PromptTokens: rng.IntN(500),
			CompletionTokens: rng.IntN(60), Cost: prices.Money(rng.IntN(10000)), CacheHit: rng.IntN(4) == 0}
		if c.CacheHit {
			c.PromptTokens, c.CompletionTokens, c.Cost = 0, 0, 0
		} else {
			c.TTFT = c.Latency / 3
		}
		if rng.IntN(20) == 0 {
			c.Err = errors.New("500")
		}
		calls[i] = c
	}
	return calls
}

func TestRecorderIsExactUpToTheSampleSize(t *testing.T) {
	for _, n := range []int{0, 1, 100, SampleSize} {
		calls := randomCalls(n)
		var rec Recorder
		var tr metrics.Tracker
		for _, c := range calls {
			rec.Add(c)
			tr.Add(c)
		}
		if got, want := rec.Summary(), tr.Summary(); got != want {
			t.Errorf("%d calls: Recorder.Summary\n%v\nmetrics.Tracker.Summary\n%v", n, got, want)
		}
		if len(rec.First()) != min(n, TimelineSize) {
			t.Errorf("%d calls: %d kept for the timeline", n, len(rec.First()))
		}
	}
}

func TestRecorderBeyondTheSample(t *testing.T) {
	calls := randomCalls(5 * SampleSize)
	var rec Recorder
	for _, c := range calls {
		rec.Add(c)
	}
	got, want := rec.Summary(), metrics.Summarize(calls)
	if len(rec.Sample()) != SampleSize {
		t.Fatalf("sample of %d calls; want %d", len(rec.Sample()), SampleSize)
	}
	exact := got
	exact.P50, exact.P95, exact.P99, exact.TTFTP50, exact.TTFTP95 = want.P50, want.P95, want.P99, want.TTFTP50, want.TTFTP95
	if exact != want {
		t.Errorf("totals differ:\n%v\nwant\n%v", got, want)
	}
	// A uniform sample of 4096 puts the median within a few percent of the true one.
	for _, p := range []struct {
		name      string
		got, want time.Duration
	}{{"p50", got.P50, want.P50}, {"p95", got.P95, want.P95}} {
		if d := p.got - p.want; d < -want.P50/10 || d > want.P50/10 {
			t.Errorf("%s from the sample %v, exact %v", p.name, p.got, p.want)
		}
	}
}
