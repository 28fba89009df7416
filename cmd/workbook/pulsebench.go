package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/solutions/pulse"
)

// The targets the benchmark checks: the optimized mode's wall time at most benchRatio times the naive mode's
// in the same run, and its peak RSS at most benchRSS.
const (
	benchRatio = 0.8
	benchRSS   = 32 << 20
)

// benchSizes parses -bench's comma-separated sizes.
func benchSizes(s string) ([]int64, error) {
	var sizes []int64
	for _, part := range strings.Split(s, ",") {
		n, err := parseSize(strings.TrimSpace(part))
		if err != nil || n < 1<<10 {
			return nil, fmt.Errorf("-bench %q: want sizes like 256MiB,1GiB (each at least 1KiB)", s)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// runPulseBench is -bench: for each size, a generated log in the temporary folder, both modes run -repeat times
// (interleaved, each in a process of its own, so both see the same machine), a table of wall time, throughput,
// peak RSS, CPU and GC per run, and for the size the ratio of the median wall times. The log is deleted after.
func runPulseBench(ctx context.Context, f *pulseFlags, stdout, stderr io.Writer) error {
	sizes, _ := benchSizes(f.bench) // checked by check
	f.quiet = true
	type summary struct {
		size          int64
		naive, optim  []pulse.Result
		ratio         float64
		rss           int64
		same, okRatio bool
	}
	var all []summary
	for _, size := range sizes {
		tmp, err := os.CreateTemp("", "pulse-bench-*.log")
		if err != nil {
			return fmt.Errorf("-bench: %w", err)
		}
		path := tmp.Name()
		fmt.Fprintf(stderr, "generating a %s site log in %s…\n", formatBytes(uint64(size)), path)
		_, err = io.Copy(tmp, data.SiteLog(size, f.seed))
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return fmt.Errorf("-bench: writing the log: %w", err)
		}
		f.in = path
		s := summary{size: size}
		var table strings.Builder
		tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "run\tmode\twall\tMB/s\tpeak RSS\tCPU\tcores\tGC cycles\trequests\tcache hits\tdigest\t")
		for i := range f.repeat {
			modes := []string{pulse.ModeNaive, pulse.ModeOptimized}
			if i%2 == 1 { // alternate the order, so neither mode always runs first
				slices.Reverse(modes)
			}
			for _, mode := range modes {
				res, err := runPulseChild(ctx, f, mode, stderr)
				if err == nil && res.Err != "" {
					err = fmt.Errorf("the %s run failed: %s", mode, res.Err)
				}
				if err != nil {
					os.Remove(path)
					return err
				}
				hits := "–"
				if res.Summary.Count > 0 && mode == pulse.ModeOptimized {
					hits = fmt.Sprintf("%.1f%%", 100*float64(res.Hits+res.Shared)/float64(res.Summary.Count))
				}
				fmt.Fprintf(tw, "%d\t%s\t%v\t%.1f\t%.1f MiB\t%.1f s\t%.1f\t%d\t%d\t%s\t%s\t\n", i+1, mode,
					res.Wall.Round(10*time.Millisecond), res.MBps(), float64(res.PeakRSS)/(1<<20),
					res.Counters.CPU.Seconds(), res.Cores(), res.Counters.GCCycles, res.Requests, hits, res.Digest[:12])
				fmt.Fprintf(stderr, "  %s run %d: %v\n", mode, i+1, res.Wall.Round(10*time.Millisecond))
				if mode == pulse.ModeNaive {
					s.naive = append(s.naive, res)
				} else {
					s.optim = append(s.optim, res)
				}
			}
		}
		os.Remove(path)
		tw.Flush()
		fmt.Fprintf(stdout, "\n%s log, -upstream %s, %d workers, %d run(s) of each mode, interleaved:\n%s",
			formatBytes(uint64(size)), f.upstream, f.workers, f.repeat, table.String())
		s.same = true
		for _, r := range append(s.naive[1:], s.optim...) {
			s.same = s.same && r.Digest == s.naive[0].Digest && r.Final == s.naive[0].Final
		}
		for _, r := range s.optim {
			s.rss = max(s.rss, r.PeakRSS)
		}
		s.ratio = medianWall(s.optim).Seconds() / medianWall(s.naive).Seconds()
		s.okRatio = s.ratio <= benchRatio
		if headers, rows := (pulse.Report{Runs: []pulse.Result{s.naive[0], s.optim[0]}}).CPURows(); len(rows) > 0 {
			fmt.Fprintln(stdout, "Where the CPU went in run 1 (CPU profile; a sample goes to the first category on its stack):")
			tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, strings.Join(headers, "\t")+"\t")
			for _, row := range rows {
				fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
			}
			tw.Flush()
		}
		all = append(all, s)
	}

	fmt.Fprintf(stdout, "\nProjectPulse at zero model latency (-upstream %s), medians of %d run(s) per mode:\n", f.upstream, f.repeat)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "log\tnaive wall\tnaive MB/s\toptimized wall\toptimized MB/s\toptimized/naive wall\toptimized peak RSS\tsame summaries\t")
	missed := false
	for _, s := range all {
		n, o := medianWall(s.naive), medianWall(s.optim)
		mbps := func(d time.Duration) float64 { return float64(s.size) / 1e6 / d.Seconds() }
		verdict := func(ok bool) string {
			if ok {
				return "ok"
			}
			missed = true
			return "MISSED"
		}
		fmt.Fprintf(tw, "%s\t%v\t%.1f\t%v\t%.1f\t%.2f× (target ≤ %.2f×: %s)\t%.1f MiB (target ≤ %d MiB: %s)\t%s\t\n",
			formatBytes(uint64(s.size)), n.Round(10*time.Millisecond), mbps(n), o.Round(10*time.Millisecond), mbps(o),
			s.ratio, benchRatio, verdict(s.okRatio), float64(s.rss)/(1<<20), benchRSS>>20, verdict(s.rss <= benchRSS),
			yesNo(s.same))
		if !s.same {
			missed = true
		}
	}
	tw.Flush()
	if missed {
		return fmt.Errorf("-bench: a target was missed (see the table)")
	}
	return nil
}

func medianWall(runs []pulse.Result) time.Duration {
	w := make([]time.Duration, len(runs))
	for i, r := range runs {
		w[i] = r.Wall
	}
	slices.Sort(w)
	if len(w)%2 == 1 {
		return w[len(w)/2]
	}
	return (w[len(w)/2-1] + w[len(w)/2]) / 2
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}
