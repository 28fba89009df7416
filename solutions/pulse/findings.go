package pulse

import (
	"fmt"
	"html"
	"os"
	"strings"
	"time"

	"github.com/llmperf/workbook/kit/chart"
)

// Findings reads the first two runs (before, after) and says in words what changed, each sentence computed from
// the runs' own figures: wall time and throughput, CPU time and where it went (the runs' CPU profiles, when they
// were taken), garbage collection (the runtime's counters), the cache (its hits, the requests and dollars they
// saved, what it cost), failures and memory. Where the optimized mode lost, it says so; where it won, by how
// much. Nothing is said that the runs did not measure. Nil with fewer than two runs.
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

	if b.Wall > 0 && a.Wall > 0 && b.Err == "" {
		speed := fmt.Sprintf("%.1f× faster", b.Wall.Seconds()/a.Wall.Seconds())
		if a.Wall >= b.Wall {
			speed = fmt.Sprintf("%.2f× as long", a.Wall.Seconds()/b.Wall.Seconds())
			speed = "took " + speed
		} else {
			speed = "was " + speed
		}
		line := fmt.Sprintf("Wall time: the %s run %s (%v against %v; %.3g MB/s of log against %.3g).", a.Mode, speed,
			round(a.Wall), round(b.Wall), a.MBps(), b.MBps())
		if ia, ib := a.InFlight(), b.InFlight(); ia > 0 && ib > 0 {
			line += fmt.Sprintf(" Its calls took p50 %v (%s: %v), and %.1f were in flight on average (the sum of call "+
				"latencies over the wall time; %s: %.1f).", a.Summary.P50.Round(time.Microsecond), b.Mode,
				b.Summary.P50.Round(time.Microsecond), ia, b.Mode, ib)
		}
		if ca, cb := a.Counters.CPU, b.Counters.CPU; ca > 0 && cb > 0 {
			line += fmt.Sprintf(" It used %.1f s of CPU against %.1f s (%.2f×), keeping %.1f cores busy on average "+
				"against %.1f.", ca.Seconds(), cb.Seconds(), ca.Seconds()/cb.Seconds(), a.Cores(), b.Cores())
		}
		line += " One run of each mode cannot tell a difference from noise (the table below says so); " +
			"-bench with -repeat 5 runs each mode five times, interleaved, and compares the medians."
		add("%s", line)
	}

	if a.CPU != nil && a.CPU.Total > 0 {
		line := fmt.Sprintf("Where the CPU went (this run's CPU profile, %d samples): %s — %s", a.CPU.Samples, a.Mode,
			sharesText(a.CPU.Largest(4)))
		if b.CPU != nil && b.CPU.Total > 0 {
			line += fmt.Sprintf("; %s — %s", b.Mode, sharesText(b.CPU.Largest(4)))
		}
		line += "."
		if b.CPU != nil && b.CPU.Total > 0 {
			if more, less := diffText(b.CPU, a.CPU); more != "" || less != "" {
				line += fmt.Sprintf(" Against the %s run, the %s run spent", b.Mode, a.Mode)
				if more != "" {
					line += " more on " + more
				}
				if more != "" && less != "" {
					line += " and"
				}
				if less != "" {
					line += " less on " + less
				}
				line += "."
			}
		}
		add("%s", line)
	} else if a.Err == "" {
		add("Where the CPU went: no CPU profile was taken of the %s run, so this report cannot say; run it with "+
			"-profile (the default) to find out.", a.Mode)
	}

	if ga, gb := a.Counters, b.Counters; ga.GCCycles > 0 || gb.GCCycles > 0 {
		line := fmt.Sprintf("Garbage collection: %d cycles in the %s run (one per %.1f MiB allocated), %d in the %s run "+
			"(one per %.1f MiB);", ga.GCCycles, a.Mode, perCycle(ga), gb.GCCycles, b.Mode, perCycle(gb))
		if a.CPU != nil && b.CPU != nil && a.CPU.Total > 0 && b.CPU.Total > 0 {
			line += fmt.Sprintf(" the profiles put the collector at %.0f%% of the %s run's CPU (%.1f s) and %.0f%% of the %s run's (%.1f s);",
				100*a.CPU.Share(CatGC).Share, a.Mode, a.CPU.Share(CatGC).CPU.Seconds(), 100*b.CPU.Share(CatGC).Share,
				b.Mode, b.CPU.Share(CatGC).CPU.Seconds())
		}
		line += fmt.Sprintf(" at the end the live heap was %s against %s and the heap goal (set from the live heap by "+
			"GOGC, capped by GOMEMLIMIT) %s against %s; settings %s against %s.", mib(ga.LiveHeap), mib(gb.LiveHeap),
			mib(ga.HeapGoal), mib(gb.HeapGoal), ga.Settings(), gb.Settings())
		add("%s", line)
	}

	cache := ""
	if a.CPU != nil && a.CPU.Total > 0 {
		k := a.CPU.Share(CatKey)
		cache = fmt.Sprintf("its keys and lookups took %.1f%% of the run's CPU (%.2f s)", 100*k.Share, k.CPU.Seconds())
	}
	switch answered := a.Hits + a.Shared; {
	case a.Mode != ModeOptimized || a.Summary.Count == 0:
	case answered > 0:
		line := fmt.Sprintf("Cache: %d of %d calls (%.1f%%) were answered without a request — %d from the cache, %d by "+
			"an identical call in flight — so the %s run made %d requests against the %s run's %d and saved %v",
			answered, a.Summary.Count, 100*float64(answered)/float64(a.Summary.Count), a.Hits, a.Shared, a.Mode,
			a.Requests, b.Mode, b.Requests, a.Saved)
		if b.Err == "" && b.Summary.Cost > 0 {
			line += fmt.Sprintf(" (it paid %v against %v)", a.Summary.Cost, b.Summary.Cost)
		}
		if cache != "" {
			line += "; " + cache
		}
		add("%s.", line)
	default:
		line := "Cache: no call repeated an earlier one, so the cache saved nothing"
		if cache != "" {
			line += ", and " + cache
		}
		add("%s.", line)
	}
	if a.Requests > b.Requests && b.Err == "" {
		add("Requests: %d more than the %s run's %d: retries of failed requests (%d).", a.Requests-b.Requests,
			b.Mode, b.Requests, a.Retries)
	}

	mib := func(n int64) float64 { return float64(n) / (1 << 20) }
	switch {
	case b.PeakRSS == 0 || a.PeakRSS == 0 || b.Err != "" || a.Err != "":
	case !b.Isolated || !a.Isolated:
		add("Memory: both runs shared one process, so the second run's peak RSS includes the first's; compare heap "+
			"growth instead (%.1f MiB against %.1f MiB), or run each mode in a process of its own (-isolate).",
			float64(a.PeakHeap)/(1<<20), float64(b.PeakHeap)/(1<<20))
	case a.PeakRSS < b.PeakRSS:
		add("Memory: peak RSS %.1f MiB against %.1f MiB, each run in a process of its own (the %s run's heap grew by "+
			"%.1f MiB, the %s run's by %.1f MiB).", mib(a.PeakRSS), mib(b.PeakRSS), a.Mode,
			float64(a.PeakHeap)/(1<<20), b.Mode, float64(b.PeakHeap)/(1<<20))
	default:
		add("Memory: no saving on this log (peak RSS %.1f MiB against %.1f MiB, heap growth %.1f MiB against %.1f MiB). "+
			"Try a bigger log (-generate 256MiB -upstream instant).", mib(a.PeakRSS), mib(b.PeakRSS),
			float64(a.PeakHeap)/(1<<20), float64(b.PeakHeap)/(1<<20))
	}
	return out
}

// sharesText lists categories as "JSON encode/decode 31% (2.1 s), GC 16% (1.1 s)".
func sharesText(shares []CPUShare) string {
	var parts []string
	for _, s := range shares {
		parts = append(parts, fmt.Sprintf("%s %.0f%% (%.1f s)", s.Category, 100*s.Share, s.CPU.Seconds()))
	}
	return strings.Join(parts, ", ")
}

// diffText names the categories whose CPU grew or shrank by at least a twentieth of the before run's CPU.
func diffText(before, after *CPUProfile) (more, less string) {
	var m, l []string
	for _, c := range Categories {
		d := after.Share(c).CPU - before.Share(c).CPU
		switch {
		case d >= before.Total/20:
			m = append(m, fmt.Sprintf("%s (+%.1f s)", c, d.Seconds()))
		case -d >= before.Total/20:
			l = append(l, fmt.Sprintf("%s (−%.1f s)", c, -d.Seconds()))
		}
	}
	return strings.Join(m, ", "), strings.Join(l, ", ")
}

func perCycle(c Counters) float64 {
	if c.GCCycles == 0 {
		return 0
	}
	return float64(c.Allocated) / float64(c.GCCycles) / (1 << 20)
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

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
