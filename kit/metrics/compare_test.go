package metrics

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// noisy returns n measurements of a quantity whose true value is center, each off by up to ±spread (a share of
// center), drawn from a seeded generator: the kind of run-to-run noise a busy machine adds.
func noisy(seed uint64, n int, center, spread float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]float64, n)
	for i := range out {
		out[i] = center * (1 + spread*(2*r.Float64()-1))
	}
	return out
}

func TestCompareSamplesNoiseAndRealChange(t *testing.T) {
	// Latency-like measure: 950 ms give or take 10 %, 8 runs a side. Any one noise-only pair has an Alpha
	// chance of a false alarm (seeds 1 and 2 give one: p = 0.028); TestCompareSamplesErrorRates checks the rate.
	before := noisy(10, 8, 950, 0.10)
	for _, tc := range []struct {
		name    string
		after   []float64
		verdict string
	}{
		{"noise only: the same quantity measured again", noisy(11, 8, 950, 0.10), NoDifference},
		{"a real 2× slow-down", noisy(3, 8, 1900, 0.10), Worse},
		{"a real 2× speed-up", noisy(4, 8, 475, 0.10), Better},
	} {
		r := CompareSamples("wall time", "ms", "lower", before, tc.after)
		if r.Verdict() != tc.verdict {
			t.Errorf("%s: verdict %q (p=%.4f, %s → %s), want %q", tc.name, r.Verdict(), r.P, r.BeforeText,
				r.AfterText, tc.verdict)
		}
		if (tc.verdict == NoDifference) == r.Significant() {
			t.Errorf("%s: Significant() = %v with p=%.4f", tc.name, r.Significant(), r.P)
		}
	}
}

// TestCompareSamplesErrorRates runs the method on many noise-only pairs and many 2× pairs: a test at level
// Alpha calls about Alpha of the noise-only pairs significant, and finds a 2× change every time.
func TestCompareSamplesErrorRates(t *testing.T) {
	const pairs = 400
	falseAlarms, missed := 0, 0
	for i := range uint64(pairs) {
		before := noisy(2*i, 6, 100, 0.2)
		if CompareSamples("x", "ms", "lower", before, noisy(2*i+1, 6, 100, 0.2)).Significant() {
			falseAlarms++
		}
		if CompareSamples("x", "ms", "lower", before, noisy(2*i+1, 6, 200, 0.2)).Verdict() != Worse {
			missed++
		}
	}
	if rate := float64(falseAlarms) / pairs; rate > 2*Alpha {
		t.Errorf("noise-only pairs judged significant: %.1f%%, want about %.0f%%", 100*rate, 100*Alpha)
	}
	if missed != 0 {
		t.Errorf("2× changes judged anything but worse: %d of %d", missed, pairs)
	}
}

func TestCompareSamplesTooFewRuns(t *testing.T) {
	for _, tc := range []struct {
		n1, n2 int
		can    bool
	}{
		{0, 5, false}, {1, 1, false}, {3, 3, false}, {2, 5, false}, {4, 4, true}, {5, 5, true}, {2, 8, true}, {20, 20, true},
	} {
		if got := canDetect(tc.n1, tc.n2); got != tc.can {
			t.Errorf("canDetect(%d, %d) = %v, want %v", tc.n1, tc.n2, got, tc.can)
		}
	}
	// However large the change, three runs a side cannot show it.
	r := CompareSamples("cost", "$", "lower", []float64{1, 1, 1}, []float64{0.5, 0.5, 0.5})
	if r.Verdict() != TooFewRuns || r.Significant() {
		t.Errorf("3 runs a side: verdict %q, significant %v", r.Verdict(), r.Significant())
	}
	// Exact, repeatable values (a token count, a cost on the mock) are judged like any other: four equal runs a
	// side that differ are a significant change, four runs with equal values are none.
	if r := CompareSamples("cost", "$", "lower", []float64{1, 1, 1, 1}, []float64{0.5, 0.5, 0.5, 0.5}); r.Verdict() != Better {
		t.Errorf("constant runs halved: verdict %q p=%v", r.Verdict(), r.P)
	}
	if r := CompareSamples("cost", "$", "lower", []float64{1, 1, 1, 1}, []float64{1, 1, 1, 1}); r.Verdict() != NoDifference || r.P != 1 {
		t.Errorf("equal runs: verdict %q p=%v", r.Verdict(), r.P)
	}
	// A row built by hand has no samples and is never significant.
	hand := Row{Name: "peak RSS", Unit: "MiB", Before: 100, After: 10, Ratio: 0.1, Better: "lower"}
	if hand.Significant() || hand.Verdict() != TooFewRuns || hand.PText() != "–" {
		t.Errorf("hand-built row: significant %v, verdict %q, test %q", hand.Significant(), hand.Verdict(), hand.PText())
	}
}

func TestCompareSamplesText(t *testing.T) {
	in := []float64{3, 1, 2, 5, 4, 6}
	r := CompareSamples("p95 latency", "ms", "lower", in, []float64{10, 12, 11, 13, 10, 12})
	if in[0] != 3 || in[5] != 6 {
		t.Errorf("CompareSamples sorted its input: %v", in)
	}
	// Six runs give a 95% confidence interval for the median: benchstat's "±x%".
	if !strings.HasPrefix(r.BeforeText, "3.5ms ±") || !strings.HasPrefix(r.AfterText, "11.5ms ±") {
		t.Errorf("texts %q, %q", r.BeforeText, r.AfterText)
	}
	if r.PText() != "p=0.002 n=6" {
		t.Errorf("PText = %q", r.PText())
	}
	for _, tc := range []struct {
		unit string
		v    float64
		want string
	}{
		{"ms", 950.4, "950ms"}, {"ms", 1234.5, "1.23s"}, {"$", 0.0025, "$0.0025"}, {"%", 37.25, "37.2%"},
		{"", 150, "150"}, {"", 150.5, "150.5"}, {"MiB", 12.34, "12.3 MiB"},
	} {
		if got := formatValue(tc.unit, tc.v); got != tc.want {
			t.Errorf("formatValue(%q, %v) = %q, want %q", tc.unit, tc.v, got, tc.want)
		}
	}
}

func TestCompareRuns(t *testing.T) {
	base := Summary{Count: 100, Errors: 4, Wall: 10 * time.Second, Mean: 800 * time.Millisecond,
		P50: 700 * time.Millisecond, P95: 2 * time.Second, P99: 3 * time.Second, Max: 4 * time.Second,
		CompletionTokens: 5000, TokensPerSec: 500, HitRate: 0, Cost: 2_000_000}
	var before, after []Summary
	for i := range 5 {
		jitter := time.Duration(i) * 10 * time.Millisecond // run-to-run noise on every duration
		b := base
		b.Wall += 10 * jitter
		b.P50 += jitter
		b.P95 += jitter
		a := b
		a.Errors, a.Wall, a.P95, a.TokensPerSec, a.HitRate, a.Cost = 0, 2*time.Second+jitter,
			500*time.Millisecond+jitter, 2500, 0.6, 800_000
		a.P50 = base.P50 + time.Duration(4-i)*10*time.Millisecond // the same values in another order
		before, after = append(before, b), append(after, a)
	}
	c := CompareRuns(before, after)
	for _, tc := range []struct {
		name, verdict, ratio string
	}{
		{"calls", "", "1.00×"},
		{"errors", Better, "0.00×"},
		{"wall time", Better, "0.20×"},
		{"p95 latency", Better, "0.26×"},
		{"p50 latency", NoDifference, "1.00×"},
		{"throughput", Better, "5.00×"},
		{"cache hit rate", Better, "–"},
		{"cost", Better, "0.40×"},
	} {
		r, ok := c.Row(tc.name)
		if !ok {
			t.Errorf("no row %q", tc.name)
			continue
		}
		if r.Verdict() != tc.verdict || r.RatioText() != tc.ratio || r.BeforeRuns != 5 || r.AfterRuns != 5 {
			t.Errorf("%s: verdict %q ratio %q runs %d+%d; want %q %q 5+5", tc.name, r.Verdict(), r.RatioText(),
				r.BeforeRuns, r.AfterRuns, tc.verdict, tc.ratio)
		}
	}
	if _, ok := c.Row("p50 first token"); ok {
		t.Error("first-token rows shown although no run streamed")
	}
	if r, _ := CompareRuns(after, before).Row("p95 latency"); r.Verdict() != Worse {
		t.Errorf("reverse p95 verdict = %q, want worse", r.Verdict())
	}
	streamed := before[0]
	streamed.TTFTP50, streamed.TTFTP95 = 50*time.Millisecond, 90*time.Millisecond
	if _, ok := CompareRuns([]Summary{streamed}, after).Row("p95 first token"); !ok {
		t.Error("no first-token rows although a run streamed")
	}
	s := c.String()
	for _, sub := range []string{"measure", "test", "verdict", "p95 latency", "2.02s", "0.26×", "p=0.008 n=5",
		NoDifference, "$0.002", "$0.0008"} {
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

func TestCompareOneRunEach(t *testing.T) {
	before := Summary{Count: 10, Wall: 950 * time.Millisecond, P95: 300 * time.Millisecond, Cost: 2_000_000}
	after := before
	after.Wall = 948 * time.Millisecond // the "950 ms → 948 ms, better" of a single pair of runs
	c := Compare(before, after)
	for _, r := range c.Rows {
		if r.Better != "" && r.Verdict() != TooFewRuns {
			t.Errorf("%s: one run each judged %q", r.Name, r.Verdict())
		}
	}
	if r, _ := c.Row("wall time"); r.BeforeText != "950ms" || r.AfterText != "948ms" || r.RatioText() != "1.00×" {
		t.Errorf("wall time row %+v", r)
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
	if len(CompareRuns(nil, nil).Rows) == 0 {
		t.Error("CompareRuns(nil, nil) has no rows")
	}
	if r := CompareSamples("x", "ms", "lower", nil, []float64{1, 2}); r.Verdict() != TooFewRuns || r.BeforeText != "" {
		t.Errorf("empty before: %+v", r)
	}
}
