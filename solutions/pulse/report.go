package pulse

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/llmperf/workbook/kit/chart"
	"github.com/llmperf/workbook/kit/metrics"
)

// Report sets runs of the same log side by side: usually a naive one (before) and an optimized one (after).
type Report struct {
	Title string   // what was run, e.g. "site.log (256.0 MiB), mock model"
	Notes []string // how it was run and measured, one line each
	Runs  []Result // in order: before, after
}

// Comparison is the runs' before/after table: the metrics.Compare rows of the first two runs' calls, then the
// run's own measures (wall time, requests, memory). Empty with fewer than two runs.
func (r Report) Comparison() metrics.Comparison {
	if len(r.Runs) < 2 {
		return metrics.Comparison{}
	}
	b, a := r.Runs[0], r.Runs[1]
	c := metrics.Compare(b.Summary, a.Summary)
	if b.Summary.TTFTP50 == 0 { // not streamed: there is no "before" to compare with
		c.Rows = slices.DeleteFunc(c.Rows, func(r metrics.Row) bool { return strings.Contains(r.Name, "first token") })
	}
	mib := func(v float64) string { return fmt.Sprintf("%.1f MiB", v) }
	for _, row := range []struct {
		name, unit    string
		before, after float64
		text          func(float64) string
	}{
		{"run wall time", "ms", ms(b.Wall), ms(a.Wall), func(v float64) string {
			return time.Duration(v * float64(time.Millisecond)).Round(time.Millisecond).String()
		}},
		{"model requests", "", float64(b.Requests), float64(a.Requests), func(v float64) string { return fmt.Sprintf("%.0f", v) }},
		{"peak RSS", "MiB", float64(b.PeakRSS) / (1 << 20), float64(a.PeakRSS) / (1 << 20), mib},
		{"peak heap growth", "MiB", float64(b.PeakHeap) / (1 << 20), float64(a.PeakHeap) / (1 << 20), mib},
	} {
		x := metrics.Row{Name: row.name, Unit: row.unit, Before: row.before, After: row.after,
			BeforeText: row.text(row.before), AfterText: row.text(row.after), Better: "lower"}
		if x.Before != 0 {
			x.Ratio = x.After / x.Before
		}
		c.Rows = append(c.Rows, x)
	}
	return c
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Rows is the report as a table: one row per measure, one column per run.
func (r Report) Rows() (headers []string, rows [][]string) {
	headers = []string{"measure"}
	for _, run := range r.Runs {
		headers = append(headers, run.Mode)
	}
	add := func(name string, cell func(Result) string) {
		row := []string{name}
		for _, run := range r.Runs {
			row = append(row, cell(run))
		}
		rows = append(rows, row)
	}
	add("wall time (whole run)", func(x Result) string { return x.Wall.Round(time.Millisecond).String() })
	add("log read (MB/s)", func(x Result) string { return fmt.Sprintf("%.3g MB/s", x.MBps()) })
	add("CPU time (user + system)", func(x Result) string {
		return fmt.Sprintf("%.1f s (%.1f cores busy)", x.Counters.CPU.Seconds(), x.Cores())
	})
	add("records", func(x Result) string { return fmt.Sprint(x.Records) })
	add("summaries (units)", func(x Result) string { return fmt.Sprint(x.Units) })
	add("calls (units + summaries of summaries)", func(x Result) string { return fmt.Sprint(x.Summary.Count) })
	add("model requests (retries included)", func(x Result) string { return fmt.Sprint(x.Requests) })
	add("retries", func(x Result) string { return fmt.Sprint(x.Retries) })
	add("answers with status 429", func(x Result) string { return fmt.Sprint(x.Status429) })
	add("answered by the cache (hits + shared)", func(x Result) string {
		s := fmt.Sprintf("%d + %d", x.Hits, x.Shared)
		if x.Summary.Count > 0 {
			s += fmt.Sprintf(" (%.1f%%)", 100*float64(x.Hits+x.Shared)/float64(x.Summary.Count))
		}
		return s
	})
	add("saved by the cache", func(x Result) string { return x.Saved.String() })
	add("prompt tokens", func(x Result) string { return fmt.Sprint(x.Summary.PromptTokens) })
	add("completion tokens", func(x Result) string { return fmt.Sprint(x.Summary.CompletionTokens) })
	add("cost", func(x Result) string { return x.Summary.Cost.String() })
	add("latency p50 / p95 per call", func(x Result) string {
		return fmt.Sprintf("%v / %v", x.Summary.P50.Round(time.Microsecond), x.Summary.P95.Round(time.Microsecond))
	})
	add("time to first token p50", func(x Result) string {
		if x.Summary.TTFTP50 == 0 {
			return "– (not streamed)"
		}
		return x.Summary.TTFTP50.Round(time.Microsecond).String()
	})
	add("peak RSS (VmHWM)", func(x Result) string {
		s := fmt.Sprintf("%.1f MiB", float64(x.PeakRSS)/(1<<20))
		if !x.Isolated {
			s += " (shared process)"
		}
		return s
	})
	add("peak heap growth (sampled)", func(x Result) string { return fmt.Sprintf("%.1f MiB", float64(x.PeakHeap)/(1<<20)) })
	add("heap allocated", func(x Result) string { return fmt.Sprintf("%.0f MiB", float64(x.Counters.Allocated)/(1<<20)) })
	add("GC cycles (settings)", func(x Result) string {
		return fmt.Sprintf("%d (%s)", x.Counters.GCCycles, x.Counters.Settings())
	})
	add("summaries digest", func(x Result) string { return x.Digest[:min(12, len(x.Digest))] })
	add("error", func(x Result) string { return shorten(cmp.Or(x.Err, "none"), 48) })
	return headers, rows
}

// Text is the report for a terminal or a .txt file.
func (r Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ProjectPulse report: %s\n", r.Title)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  %s\n", n)
	}
	b.WriteString("\n")
	headers, rows := r.Rows()
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(headers, "\t"))
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	if headers, rows := r.CPURows(); len(rows) > 0 {
		b.WriteString("\nWhere the CPU went (CPU profile of each run; a sample goes to the first category on its stack):\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(headers, "\t"))
		for _, row := range rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		tw.Flush()
	}
	if len(r.Runs) >= 2 {
		same := r.Runs[0].Digest == r.Runs[1].Digest && r.Runs[0].Err == "" && r.Runs[1].Err == ""
		fmt.Fprintf(&b, "\nSame summaries in both runs: %v\n", yesNo(same))
		b.WriteString("\nWhat changed, and why:\n")
		for _, f := range r.Findings() {
			fmt.Fprintf(&b, "- %s\n", wrap(f, 110, "  "))
		}
		fmt.Fprintf(&b, "\nBefore → after (%s → %s):\n%s\n", r.Runs[0].Mode, r.Runs[1].Mode,
			strings.TrimRight(r.Comparison().String(), "\n"))
	}
	for _, run := range r.Runs {
		fmt.Fprintf(&b, "\nSite summary (%s): %s\n", run.Mode, shorten(cmp.Or(run.Final, "(none)"), 400))
	}
	return b.String()
}

// CPURows is the runs' CPU profiles as a table: one row per category, a column per profiled run with its CPU
// seconds and share. Empty when no run was profiled.
func (r Report) CPURows() (headers []string, rows [][]string) {
	var runs []Result
	for _, run := range r.Runs {
		if run.CPU != nil && run.CPU.Total > 0 {
			runs = append(runs, run)
		}
	}
	if len(runs) == 0 {
		return nil, nil
	}
	headers = []string{"category"}
	for _, run := range runs {
		headers = append(headers, fmt.Sprintf("%s (%.1f s sampled)", run.Mode, run.CPU.Total.Seconds()))
	}
	for _, c := range Categories {
		row := []string{c}
		for _, run := range runs {
			sh := run.CPU.Share(c)
			row = append(row, fmt.Sprintf("%5.1f%%  %.2f s", 100*sh.Share, sh.CPU.Seconds()))
		}
		rows = append(rows, row)
	}
	return headers, rows
}

// CPUChart draws the runs' CPU profiles: CPU seconds per category, a bar per run. Nil when no run was profiled.
func (r Report) CPUChart() *chart.Chart {
	var series []chart.Series
	for _, run := range r.Runs {
		if run.CPU == nil || run.CPU.Total == 0 {
			continue
		}
		s := chart.Series{Name: run.Mode}
		for _, c := range Categories {
			s.Values = append(s.Values, run.CPU.Share(c).CPU.Seconds())
		}
		series = append(series, s)
	}
	if len(series) == 0 {
		return nil
	}
	return chart.Bar("Where the CPU went (CPU profile of each run)", "s of CPU", Categories, series...)
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Charts draws the report: wall time, requests, tokens, dollars, p50/p95, peak memory, the before/after
// comparison, the latency percentiles and a timeline of each run's first calls.
func (r Report) Charts() []*chart.Chart {
	var labels []string
	series := func(name string, v func(Result) float64) chart.Series {
		s := chart.Series{Name: name}
		for _, run := range r.Runs {
			s.Values = append(s.Values, v(run))
		}
		return s
	}
	for _, run := range r.Runs {
		labels = append(labels, run.Mode)
	}
	cs := []*chart.Chart{
		chart.Bar("Wall time", "s", labels, series("wall time", func(x Result) float64 { return x.Wall.Seconds() })),
		chart.Bar("Calls", "calls", labels,
			series("calls", func(x Result) float64 { return float64(x.Summary.Count) }),
			series("model requests", func(x Result) float64 { return float64(x.Requests) }),
			series("answered by the cache", func(x Result) float64 { return float64(x.Hits + x.Shared) })),
		chart.Bar("Tokens", "tokens", labels,
			series("prompt", func(x Result) float64 { return float64(x.Summary.PromptTokens) }),
			series("completion", func(x Result) float64 { return float64(x.Summary.CompletionTokens) })),
		chart.Bar("Cost", "$", labels, series("cost", func(x Result) float64 { return x.Summary.Cost.Dollars() }),
			series("saved by the cache", func(x Result) float64 { return x.Saved.Dollars() })),
		chart.Bar("Latency per call", "ms", labels,
			series("p50", func(x Result) float64 { return ms(x.Summary.P50) }),
			series("p95", func(x Result) float64 { return ms(x.Summary.P95) })),
		chart.Bar("Peak memory", "MiB", labels,
			series("peak RSS", func(x Result) float64 { return float64(x.PeakRSS) / (1 << 20) }),
			series("peak heap growth", func(x Result) float64 { return float64(x.PeakHeap) / (1 << 20) })),
	}
	if c := r.CPUChart(); c != nil {
		cs = append(cs, c)
	}
	cs = append(cs, chart.Bar("Garbage collection", "cycles", labels,
		series("GC cycles", func(x Result) float64 { return float64(x.Counters.GCCycles) })))
	if len(r.Runs) >= 2 {
		cs = append(cs, chart.BeforeAfter(r.Runs[0].Mode+" → "+r.Runs[1].Mode, r.Comparison()))
	}
	samples := map[string][]time.Duration{}
	for _, run := range r.Runs {
		if len(run.Latencies) > 0 {
			samples[run.Mode] = run.Latencies
		}
	}
	if len(samples) > 0 {
		cs = append(cs, chart.Percentiles("Call latency percentiles", samples))
	}
	for _, run := range r.Runs {
		if len(run.Spans) > 0 {
			cs = append(cs, chart.Timeline(fmt.Sprintf("%s: the first %d calls", run.Mode, len(run.Spans)), run.Spans))
		}
	}
	return cs
}
