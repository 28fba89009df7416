package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	before := Summary{Count: 100, Errors: 4, Wall: 10 * time.Second, Mean: 800 * time.Millisecond,
		P50: 700 * time.Millisecond, P95: 2 * time.Second, P99: 3 * time.Second, Max: 4 * time.Second,
		CompletionTokens: 5000, TokensPerSec: 500, HitRate: 0, Cost: 2_000_000}
	after := before
	after.Errors, after.Wall, after.P95, after.TokensPerSec, after.HitRate, after.Cost = 0, 2*time.Second,
		500*time.Millisecond, 2500, 0.6, 800_000
	c := Compare(before, after)
	for _, tc := range []struct {
		name          string
		ratio         float64
		verdict, text string
	}{
		{"calls", 1, "", "1.00×"},
		{"errors", 0, "better", "0.00×"},
		{"wall time", 0.2, "better", "0.20×"},
		{"p95 latency", 0.25, "better", "0.25×"},
		{"p50 latency", 1, "same", "1.00×"},
		{"throughput", 5, "better", "5.00×"},
		{"cache hit rate", 0, "better", "–"},
		{"cost", 0.4, "better", "0.40×"},
	} {
		r, ok := c.Row(tc.name)
		if !ok {
			t.Errorf("no row %q", tc.name)
			continue
		}
		if r.Ratio != tc.ratio || r.Verdict() != tc.verdict || r.RatioText() != tc.text {
			t.Errorf("%s: ratio %v verdict %q text %q; want %v %q %q", tc.name, r.Ratio, r.Verdict(),
				r.RatioText(), tc.ratio, tc.verdict, tc.text)
		}
	}
	if _, ok := c.Row("p50 first token"); ok {
		t.Error("first-token rows shown although neither run streamed")
	}
	worse := Compare(after, before)
	if r, _ := worse.Row("p95 latency"); r.Verdict() != "worse" {
		t.Errorf("reverse p95 verdict = %q, want worse", r.Verdict())
	}
	s := c.String()
	for _, sub := range []string{"measure", "p95 latency", "2s", "500ms", "0.25×", "$0.002", "$0.0008"} {
		if !strings.Contains(s, sub) {
			t.Errorf("Comparison.String() lacks %q:\n%s", sub, s)
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing space in %q", line)
		}
	}
}

func TestCompareEmpty(t *testing.T) {
	c := Compare(Summary{}, Summary{})
	for _, r := range c.Rows {
		if r.Ratio != 0 || r.RatioText() != "–" {
			t.Errorf("%s: ratio %v %q for empty runs", r.Name, r.Ratio, r.RatioText())
		}
	}
	if strings.Contains(c.String(), "NaN") || strings.Contains(c.String(), "Inf") {
		t.Errorf("empty comparison:\n%s", c)
	}
}
