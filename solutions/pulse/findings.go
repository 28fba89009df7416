package pulse

import (
	"fmt"
	"html"
	"os"
	"strings"
	"time"

	"github.com/llmperf/workbook/kit/chart"
)

// fastModel is the call latency (the naive run's p50) below which the model is taken to cost nothing next to
// the program's own work per call: a real model answers in hundreds of milliseconds.
const fastModel = time.Millisecond

// Findings reads the first two runs (before, after) and says in words what changed and why, each line computed
// from the runs: wall time (and, when the optimized mode is slower, the reason), requests, cost, memory and
// failures. Where the optimized mode lost, it says so; where it won, it says by how much. Nil with fewer than two
// runs.
func (r Report) Findings() []string {
	if len(r.Runs) < 2 {
		return nil
	}
	b, a := r.Runs[0], r.Runs[1]
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	switch {
	case b.Err != "" && a.Err == "":
		add("Failures: the %s run stopped at its first failure (%s) after %d of %d records; the %s run finished all "+
			"%d, retrying %d failed requests.", b.Mode, shorten(b.Err, 120), b.Records, a.Records, a.Mode, a.Records, a.Retries)
	case a.Err != "":
		add("Failures: the %s run failed (%s); compare the other figures with care.", a.Mode, shorten(a.Err, 120))
	}

	p50 := b.Summary.P50.Round(time.Microsecond)
	switch {
	case b.Wall <= 0 || a.Wall <= 0 || b.Err != "":
	case a.Wall < b.Wall:
		skipped := "."
		if a.Hits+a.Shared > 0 {
			skipped = ", and did not wait for the model at all on the calls the cache answered."
		}
		add("Wall time: the %s run was %.1f× faster (%v against %v). It overlapped its calls instead of waiting "+
			"for each in turn (a call took p50 %v, against %v in the %s run)%s", a.Mode,
			b.Wall.Seconds()/a.Wall.Seconds(), round(a.Wall), round(b.Wall), a.Summary.P50.Round(time.Microsecond),
			p50, b.Mode, skipped)
	case b.Summary.P50 < fastModel:
		add("Wall time: the %s run took %.1f× as long as the %s run (%v against %v). That is the honest price of "+
			"its machinery when the model costs nothing: a call took p50 %v here, so there is almost no waiting for "+
			"the workers to overlap, while the %s mode still does its own work on every call — hashing the request "+
			"for its cache key, handing records between pipeline goroutines, merging identical calls in flight, parsing a "+
			"streamed answer event by event. With a model that takes time per call (a real one takes hundreds of "+
			"milliseconds; try -upstream mock -ttft 50ms) the overlap wins by about the number of workers.",
			a.Mode, a.Wall.Seconds()/b.Wall.Seconds(), b.Mode, round(a.Wall), round(b.Wall), p50, a.Mode)
	default:
		add("Wall time: the %s run took %.1f× as long as the %s run (%v against %v) although its calls took p50 %v: "+
			"something other than the model bounds it — a requests or tokens per minute limit it keeps under, "+
			"retries, or the CPU. Profile it (week 1) before changing anything.",
			a.Mode, a.Wall.Seconds()/b.Wall.Seconds(), b.Mode, round(a.Wall), round(b.Wall), p50)
	}

	switch {
	case a.Requests < b.Requests && b.Requests > 0:
		add("Requests: %d instead of %d (%.0f%%): %d answered by the cache and %d by an identical call in flight.",
			a.Requests, b.Requests, 100*float64(a.Requests)/float64(b.Requests), a.Hits, a.Shared)
	case a.Requests > b.Requests && b.Err == "":
		add("Requests: %d more than the %s run's %d: retries of failed requests (%d).", a.Requests-b.Requests,
			b.Mode, b.Requests, a.Retries)
	}
	if a.Summary.Cost < b.Summary.Cost && b.Err == "" {
		add("Cost: %v instead of %v — the calls the cache answered were not paid for.", a.Summary.Cost, b.Summary.Cost)
	}

	mib := func(n int64) float64 { return float64(n) / (1 << 20) }
	switch {
	case b.PeakRSS == 0 || a.PeakRSS == 0 || b.Err != "" || a.Err != "":
	case !b.Isolated || !a.Isolated:
		add("Memory: both runs shared one process, so the second run's peak RSS includes the first's; compare heap "+
			"growth instead (%.1f MiB against %.1f MiB), or run each mode in a process of its own (-isolate).",
			float64(a.PeakHeap)/(1<<20), float64(b.PeakHeap)/(1<<20))
	case a.PeakRSS < b.PeakRSS:
		add("Memory: peak RSS %.1f MiB against %.1f MiB, each run in a process of its own. The %s run holds the "+
			"whole log and every summary, so its peak grows with the log; the %s run holds a bounded window, so "+
			"the gap widens on bigger logs.", mib(a.PeakRSS), mib(b.PeakRSS), b.Mode, a.Mode)
	default:
		add("Memory: no saving on this log (peak RSS %.1f MiB against %.1f MiB): the %s run's memory is a fixed "+
			"cost (workers, cache, sample and, with -upstream mock, the mock's tokenizer tables), while the %s run's grows "+
			"with the log. Try a bigger log (-generate 256MiB -upstream instant).", mib(a.PeakRSS), mib(b.PeakRSS),
			a.Mode, b.Mode)
	}
	return out
}

func round(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

// wrap breaks s into lines of at most width bytes at spaces, the lines after the first indented by indent.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	line := 0
	for i, w := range strings.Fields(s) {
		if i > 0 && line+1+len(w) > width {
			b.WriteString("\n" + indent)
			line = len(indent)
		} else if i > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

// SaveHTML writes the report as one standalone page (see chart.SavePage): the findings and the table of runs
// first, then the charts.
func (r Report) SaveHTML(path string) error {
	title := "ProjectPulse: " + r.Title
	if err := chart.SavePage(path, title, r.Charts()...); err != nil {
		return err
	}
	// chart.SavePage writes charts only: put the words and the table under the page's title.
	var b strings.Builder
	b.WriteString("<section class=\"pulse-findings\" style=\"max-width:60em\">\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "<div style=\"color:#555\">%s</div>\n", html.EscapeString(n))
	}
	if f := r.Findings(); len(f) > 0 {
		b.WriteString("<h2>What changed, and why</h2>\n<ul>\n")
		for _, line := range f {
			fmt.Fprintf(&b, "<li>%s</li>\n", html.EscapeString(line))
		}
		b.WriteString("</ul>\n")
	}
	headers, rows := r.Rows()
	b.WriteString("<h2>The runs</h2>\n" + chart.TableHTML(headers, rows) + "\n</section>\n")

	page, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	marker := "<h1>" + html.EscapeString(title) + "</h1>\n"
	i := strings.Index(string(page), marker)
	if i < 0 {
		return fmt.Errorf("pulse: %s: no title to put the findings under", path)
	}
	i += len(marker)
	out := string(page[:i]) + b.String() + string(page[i:])
	// Write beside it and rename, as chart.SavePage does: a failure leaves the charts-only page intact.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(out), 0o644); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("pulse: save %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}
