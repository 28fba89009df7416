package metrics

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/prices"
)

func msec(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPercentileNearestRank(t *testing.T) {
	ten := []time.Duration{msec(10), msec(1), msec(9), msec(2), msec(8), msec(3), msec(7), msec(4), msec(6), msec(5)}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = msec(100 - i) // 100ms … 1ms, unsorted on purpose
	}
	// Expected values computed by hand: rank = ⌈p/100 × n⌉, value = sorted[rank-1].
	for _, tc := range []struct {
		name string
		ds   []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value p50", []time.Duration{msec(7)}, 50, msec(7)},
		{"one value p99", []time.Duration{msec(7)}, 99, msec(7)},
		{"ten p50: rank 5", ten, 50, msec(5)},
		{"ten p51: rank 6", ten, 51, msec(6)},
		{"ten p90: rank 9", ten, 90, msec(9)},
		{"ten p95: rank 10", ten, 95, msec(10)},
		{"ten p100", ten, 100, msec(10)},
		{"ten p10: rank 1", ten, 10, msec(1)},
		{"ten p0 is the minimum", ten, 0, msec(1)},
		{"hundred p95: rank 95", hundred, 95, msec(95)},
		{"hundred p99: rank 99", hundred, 99, msec(99)},
		{"hundred p99.9: rank 100", hundred, 99.9, msec(100)},
		{"hundred p50: rank 50", hundred, 50, msec(50)},
		{"four p50: rank 2", []time.Duration{msec(4), msec(1), msec(3), msec(2)}, 50, msec(2)},
		{"four p75: rank 3", []time.Duration{msec(4), msec(1), msec(3), msec(2)}, 75, msec(3)},
		{"four p76: rank 4", []time.Duration{msec(4), msec(1), msec(3), msec(2)}, 76, msec(4)},
	} {
		before := append([]time.Duration(nil), tc.ds...)
		if got := Percentile(tc.ds, tc.p); got != tc.want {
			t.Errorf("%s: Percentile(p=%v) = %v, want %v", tc.name, tc.p, got, tc.want)
		}
		for i := range before {
			if before[i] != tc.ds[i] {
				t.Fatalf("%s: Percentile modified its input", tc.name)
			}
		}
	}
}

func TestSummaryEmpty(t *testing.T) {
	var tr Tracker
	s := tr.Summary()
	if s != (Summary{}) {
		t.Errorf("empty Summary = %+v, want the zero value", s)
	}
	if math.IsNaN(s.TokensPerSec) || math.IsNaN(s.HitRate) {
		t.Error("NaN in an empty summary")
	}
	if str := s.String(); !strings.Contains(str, "calls 0") || strings.Contains(str, "NaN") {
		t.Errorf("empty Summary.String() = %q", str)
	}
}

func TestSummary(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	calls := []Call{
		{Start: t0, Latency: msec(400), TTFT: msec(100), PromptTokens: 100, CompletionTokens: 50, Cost: 10},
		{Start: t0.Add(msec(100)), Latency: msec(900), TTFT: msec(300), PromptTokens: 100, CachedTokens: 64, CompletionTokens: 150, Cost: 20},
		{Start: t0.Add(msec(200)), Latency: msec(100), CacheHit: true},
		{Start: t0.Add(msec(1500)), Latency: msec(500), Err: errors.New("429"), PromptTokens: 100, Cost: 5},
	}
	s := Summarize(calls)
	want := Summary{
		Count: 4, Errors: 1, CacheHits: 1,
		Wall: msec(2000),                                                // t0 … t0+1.5s+0.5s
		Mean: msec(475),                                                 // (400+900+100+500)/4
		P50:  msec(400), P95: msec(900), P99: msec(900), Max: msec(900), // sorted 100 400 500 900: ranks 2, 4, 4
		TTFTP50: msec(100), TTFTP95: msec(300), // two streamed calls: ranks 1 and 2
		PromptTokens: 300, CachedTokens: 64, CompletionTokens: 200,
		TokensPerSec: 100, // 200 tokens / 2 s of wall time
		HitRate:      0.25,
		Cost:         prices.Money(35),
	}
	if s != want {
		t.Errorf("Summarize =\n%+v\nwant\n%+v", s, want)
	}
	for _, sub := range []string{"calls 4", "errors 1", "p95 900ms", "100.0 tokens/s", "25.0%", "$0.000000035"} {
		if !strings.Contains(s.String(), sub) {
			t.Errorf("Summary.String() lacks %q:\n%s", sub, s)
		}
	}
}

func TestSummaryWallIgnoresOrder(t *testing.T) {
	t0 := time.Unix(1000, 0)
	// Added out of order; the earliest start is the second call, the latest end the first.
	s := Summarize([]Call{
		{Start: t0.Add(time.Second), Latency: 3 * time.Second},
		{Start: t0, Latency: time.Second},
	})
	if s.Wall != 4*time.Second {
		t.Errorf("Wall = %v, want 4s", s.Wall)
	}
}
