package metrics

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/perf/benchmath"

	"github.com/llmperf/workbook/kit/prices"
)

// Alpha is the significance level of every verdict: a difference counts only when the two-sided Mann–Whitney U
// test gives p ≤ Alpha. It is benchstat's default.
const Alpha = 0.05

// Verdicts of a Row with a preferred direction.
const (
	Better       = "better"
	Worse        = "worse"
	NoDifference = "no significant difference"
	TooFewRuns   = "too few runs to tell"
)

// Comparison sets two sets of runs side by side, one Row per measure.
type Comparison struct {
	Rows []Row
}

// Row is one measure before and after a change, over one or more runs of each.
type Row struct {
	Name string
	Unit string // unit of Before and After: "ms", "$", "tokens/s", "%", "" for counts
	// Before and After are the medians of the runs, in Unit (durations in milliseconds, money in dollars).
	Before, After float64
	// BeforeText and AfterText format the medians for people; with 6 runs or more they end with the 95%
	// confidence interval as "±x%" (benchstat's notation).
	BeforeText, AfterText string
	// Ratio is After / Before; 0 when Before is 0 (no ratio exists).
	Ratio float64
	// Better tells which direction is an improvement: "lower", "higher", or "" when neither is.
	Better string
	// BeforeRuns and AfterRuns count the samples behind each side; 0 in a Row built by hand, which is never
	// judged significant.
	BeforeRuns, AfterRuns int
	// P is the p-value of the two-sided Mann–Whitney U test of the two samples (benchstat's test, through
	// golang.org/x/perf/benchmath): the chance of a difference at least this large if the change did nothing.
	// 1 when every value is equal.
	P float64
}

// Significant reports whether the difference is beyond the noise: each side has enough runs for the test to
// reach Alpha at all, and P ≤ Alpha.
func (r Row) Significant() bool {
	return canDetect(r.BeforeRuns, r.AfterRuns) && r.P <= Alpha
}

// Verdict is "better" or "worse" for a significant difference, "no significant difference" inside the noise,
// "too few runs to tell" when the runs cannot show a difference at all (fewer than 4 a side), and "" when the
// row has no preferred direction.
func (r Row) Verdict() string {
	switch {
	case r.Better == "":
		return ""
	case !canDetect(r.BeforeRuns, r.AfterRuns):
		return TooFewRuns
	case r.P > Alpha || r.After == r.Before:
		return NoDifference
	case (r.After < r.Before) == (r.Better == "lower"):
		return Better
	default:
		return Worse
	}
}

// canDetect reports whether samples of n1 and n2 values can give p ≤ Alpha at all: the smallest two-sided p the
// exact U test reaches is 2 / C(n1+n2, n1).
func canDetect(n1, n2 int) bool {
	if n1 < 1 || n2 < 1 {
		return false
	}
	c := 1.0 // C(n1+n2, n1), computed in floating point: it only has to be compared with 2/Alpha
	for i := 1; i <= n1; i++ {
		c = c * float64(n2+i) / float64(i)
	}
	return 2/c <= Alpha
}

// RatioText formats Ratio as "0.25×", or "–" when there is none.
func (r Row) RatioText() string {
	if r.Before == 0 {
		return "–"
	}
	return strconv.FormatFloat(r.Ratio, 'f', ratioDigits(r.Ratio), 64) + "×"
}

func ratioDigits(r float64) int {
	if r >= 10 {
		return 1
	}
	return 2
}

// PText is the test's result as benchstat prints it: "p=0.008 n=5", or "–" for a row without samples.
func (r Row) PText() string {
	if r.BeforeRuns == 0 || r.AfterRuns == 0 {
		return "–"
	}
	n := strconv.Itoa(r.BeforeRuns)
	if r.AfterRuns != r.BeforeRuns {
		n += "+" + strconv.Itoa(r.AfterRuns)
	}
	return fmt.Sprintf("p=%.3f n=%s", r.P, n)
}

// CompareSamples judges one measure from repeated measurements: before and after hold one value per run, in
// unit ("ms", "$", "%", "MiB", "" for counts…), and better is "lower", "higher" or "". The row's values are the
// medians; P comes from benchstat's Mann–Whitney U test. The slices are not modified.
func CompareSamples(name, unit, better string, before, after []float64) Row {
	r := Row{Name: name, Unit: unit, Better: better, BeforeRuns: len(before), AfterRuns: len(after), P: 1}
	thresholds := &benchmath.Thresholds{CompareAlpha: Alpha}
	var samples [2]*benchmath.Sample
	for i, vs := range [][]float64{before, after} {
		if len(vs) == 0 {
			continue
		}
		s := benchmath.NewSample(append([]float64(nil), vs...), thresholds) // NewSample sorts its argument
		sum := benchmath.AssumeNothing.Summary(s, 0.95)
		text := formatValue(unit, sum.Center)
		if !math.IsInf(sum.Lo, 0) && !math.IsInf(sum.Hi, 0) {
			text += " ±" + sum.PctRangeString()
		}
		if i == 0 {
			r.Before, r.BeforeText = sum.Center, text
		} else {
			r.After, r.AfterText = sum.Center, text
		}
		samples[i] = s
	}
	if samples[0] != nil && samples[1] != nil {
		r.P = benchmath.AssumeNothing.Compare(samples[0], samples[1]).P
	}
	if r.Before != 0 {
		r.Ratio = r.After / r.Before
	}
	return r
}

// formatValue writes v, a value in unit, for people.
func formatValue(unit string, v float64) string {
	switch unit {
	case "ms":
		return round(time.Duration(math.Round(v * float64(time.Millisecond)))).String()
	case "$":
		return prices.Money(math.Round(v * float64(prices.Dollar))).String()
	case "%":
		return strconv.FormatFloat(v, 'f', 1, 64) + "%"
	case "":
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return strconv.FormatFloat(v, 'f', 0, 64)
		}
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit
	}
}

// Compare describes the change from one run to another. One run a side cannot separate a change from noise,
// so every row with a direction reads "too few runs to tell": use CompareRuns with four runs or more a side.
func Compare(before, after Summary) Comparison {
	return CompareRuns([]Summary{before}, []Summary{after})
}

// CompareRuns describes the change from the before runs to the after runs of the same workload: for each
// measure, the medians over the runs and benchstat's verdict. Run both sides the same number of times, at least
// 4 (5 or more to leave room), interleaved, so that both see the same machine. Rows about time to first token
// appear only when a run streamed.
func CompareRuns(before, after []Summary) Comparison {
	var c Comparison
	add := func(name, unit, better string, v func(Summary) float64) {
		var b, a []float64
		for _, s := range before {
			b = append(b, v(s))
		}
		for _, s := range after {
			a = append(a, v(s))
		}
		c.Rows = append(c.Rows, CompareSamples(name, unit, better, b, a))
	}
	dur := func(name string, d func(Summary) time.Duration) {
		add(name, "ms", "lower", func(s Summary) float64 { return ms(d(s)) })
	}
	add("calls", "", "", func(s Summary) float64 { return float64(s.Count) })
	add("errors", "", "lower", func(s Summary) float64 { return float64(s.Errors) })
	dur("wall time", func(s Summary) time.Duration { return s.Wall })
	dur("mean latency", func(s Summary) time.Duration { return s.Mean })
	dur("p50 latency", func(s Summary) time.Duration { return s.P50 })
	dur("p95 latency", func(s Summary) time.Duration { return s.P95 })
	dur("p99 latency", func(s Summary) time.Duration { return s.P99 })
	dur("max latency", func(s Summary) time.Duration { return s.Max })
	streamed := false
	for _, s := range append(before[:len(before):len(before)], after...) {
		streamed = streamed || s.TTFTP50 > 0
	}
	if streamed {
		dur("p50 first token", func(s Summary) time.Duration { return s.TTFTP50 })
		dur("p95 first token", func(s Summary) time.Duration { return s.TTFTP95 })
	}
	add("prompt tokens", "", "", func(s Summary) float64 { return float64(s.PromptTokens) })
	add("completion tokens", "", "", func(s Summary) float64 { return float64(s.CompletionTokens) })
	add("throughput", "tokens/s", "higher", func(s Summary) float64 { return s.TokensPerSec })
	add("cache hit rate", "%", "higher", func(s Summary) float64 { return 100 * s.HitRate })
	add("cost", "$", "lower", func(s Summary) float64 { return s.Cost.Dollars() })
	return c
}

// Row returns the row with the given name.
func (c Comparison) Row(name string) (Row, bool) {
	for _, r := range c.Rows {
		if r.Name == name {
			return r, true
		}
	}
	return Row{}, false
}

// String is a text table: measure, before, after, after/before, the test and the verdict.
func (c Comparison) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "measure\tbefore\tafter\tafter/before\ttest\tverdict")
	for _, r := range c.Rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.BeforeText, r.AfterText, r.RatioText(), r.PText(),
			r.Verdict())
	}
	w.Flush()
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
