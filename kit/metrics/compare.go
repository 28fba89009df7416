package metrics

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Comparison sets two runs side by side, one Row per measure.
type Comparison struct {
	Rows []Row
}

// Row is one measure before and after a change.
type Row struct {
	Name                  string
	Unit                  string  // unit of Before and After: "ms", "$", "tokens/s", "%", "" for counts
	Before, After         float64 // in Unit (durations in milliseconds, money in dollars)
	BeforeText, AfterText string  // exact, human formatting of the two values
	// Ratio is After / Before; 0 when Before is 0 (no ratio exists).
	Ratio float64
	// Better tells which direction is an improvement: "lower", "higher", or "" when neither is.
	Better string
}

// Verdict is "better", "worse", "same", or "" when the row has no preferred direction.
func (r Row) Verdict() string {
	if r.Better == "" {
		return ""
	}
	switch {
	case r.After == r.Before:
		return "same"
	case (r.After < r.Before) == (r.Better == "lower"):
		return "better"
	default:
		return "worse"
	}
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

// Compare describes the change from before to after. Rows about time to first token appear only when either
// run streamed.
func Compare(before, after Summary) Comparison {
	var c Comparison
	add := func(name, unit, better string, b, a float64, bt, at string) {
		r := Row{Name: name, Unit: unit, Before: b, After: a, BeforeText: bt, AfterText: at, Better: better}
		if b != 0 {
			r.Ratio = a / b
		}
		c.Rows = append(c.Rows, r)
	}
	count := func(name, better string, b, a int) {
		add(name, "", better, float64(b), float64(a), strconv.Itoa(b), strconv.Itoa(a))
	}
	dur := func(name string, b, a time.Duration) {
		add(name, "ms", "lower", ms(b), ms(a), round(b).String(), round(a).String())
	}
	count("calls", "", before.Count, after.Count)
	count("errors", "lower", before.Errors, after.Errors)
	dur("wall time", before.Wall, after.Wall)
	dur("mean latency", before.Mean, after.Mean)
	dur("p50 latency", before.P50, after.P50)
	dur("p95 latency", before.P95, after.P95)
	dur("p99 latency", before.P99, after.P99)
	dur("max latency", before.Max, after.Max)
	if before.TTFTP50 > 0 || after.TTFTP50 > 0 {
		dur("p50 first token", before.TTFTP50, after.TTFTP50)
		dur("p95 first token", before.TTFTP95, after.TTFTP95)
	}
	count("prompt tokens", "", before.PromptTokens, after.PromptTokens)
	count("completion tokens", "", before.CompletionTokens, after.CompletionTokens)
	add("throughput", "tokens/s", "higher", before.TokensPerSec, after.TokensPerSec,
		fmt.Sprintf("%.1f tokens/s", before.TokensPerSec), fmt.Sprintf("%.1f tokens/s", after.TokensPerSec))
	add("cache hit rate", "%", "higher", 100*before.HitRate, 100*after.HitRate,
		fmt.Sprintf("%.1f%%", 100*before.HitRate), fmt.Sprintf("%.1f%%", 100*after.HitRate))
	add("cost", "$", "lower", before.Cost.Dollars(), after.Cost.Dollars(), before.Cost.String(), after.Cost.String())
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

// String is a text table: measure, before, after, after/before and a verdict.
func (c Comparison) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "measure\tbefore\tafter\tafter/before\tverdict")
	for _, r := range c.Rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.BeforeText, r.AfterText, r.RatioText(), r.Verdict())
	}
	w.Flush()
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
