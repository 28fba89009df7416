package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/solutions/streaming"
)

func init() {
	register(command{
		Name:    "pipeline",
		Summary: "summarize a generated site log through the bounded pipeline; print throughput and peak RSS",
		Run:     runPipeline,
	})
}

const pipelineAbout = `Generates a construction-site log of -size bytes (streamed, never written to disk), reads it record by
record and summarizes every record with -workers workers, then prints the records, the throughput and the
process's peak resident memory (VmHWM, what /usr/bin/time -v calls "Maximum resident set size").

The "model" is streaming.Summarize: a pure-CPU stand-in with zero latency, so what is measured is the
pipeline itself, and no provider is ever called (nothing to estimate or spend, even with OPENAI_API_KEY
set; "workbook pulse -upstream env" is the command that makes real calls). Modes:
  bounded  records flow through streaming.Pipeline: at most 2·workers in flight (memory stays flat)
  slice    every record is read into a slice first, then the same pipeline runs over the slice
  gather   the Python seed's orchestrator (streaming.Gather): one goroutine per record, all started
           before any finishes, results collected in a slice
slice and gather hold the whole input at once: they refuse sizes over 256MiB unless -force.

  go run ./cmd/workbook pipeline -size 1GiB -workers 8

To measure from outside, time a built binary: /usr/bin/time -v around "go run" reports the largest peak of
the go command's processes (compiling and linking need far more memory than the pipeline), not the pipeline's.
  go build -o /tmp/workbook ./cmd/workbook
  /usr/bin/time -v /tmp/workbook pipeline -size 1GiB       # "Maximum resident set size"
  /usr/bin/time -v /tmp/workbook pipeline -size 256MiB -mode gather`

// pipelineReport is what one run measured; -json prints it as one line.
type pipelineReport struct {
	Mode        string  `json:"mode"`
	Bytes       int64   `json:"bytes"`
	Workers     int     `json:"workers"`
	Records     int64   `json:"records"`
	Seconds     float64 `json:"seconds"`
	MBPerSec    float64 `json:"mb_per_sec"`
	PeakRSS     int64   `json:"peak_rss_bytes"`
	PeakHeap    uint64  `json:"peak_heap_bytes"`
	LastSummary string  `json:"last_summary"`
}

func runPipeline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("pipeline", "", pipelineAbout, stderr)
	size := fs.String("size", "256MiB", "log size: bytes, or with a unit KiB, MiB, GiB (or KB, MB, GB)")
	workers := fs.Int("workers", 8, "workers summarizing records")
	mode := fs.String("mode", "bounded", "bounded, slice or gather")
	seed := fs.Int64("seed", 1, "seed of the generated log")
	force := fs.Bool("force", false, "let slice and gather modes run above 256MiB (they hold everything in memory)")
	asJSON := fs.Bool("json", false, "print the report as one JSON line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usageError{fmt.Errorf("pipeline takes no arguments, got %q", fs.Args())}
	}
	n, err := parseSize(*size)
	if err != nil {
		return usageError{err}
	}
	if *workers < 1 {
		return usageError{fmt.Errorf("-workers must be at least 1, got %d", *workers)}
	}
	if (*mode == "slice" || *mode == "gather") && n > 256<<20 && !*force {
		return usageError{fmt.Errorf("-mode %s holds the whole %s log in memory (several times its size for "+
			"gather); add -force to run it above 256MiB", *mode, *size)}
	}
	rep, err := measurePipeline(ctx, *mode, data.SiteLog(n, *seed), n, *workers)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	fmt.Fprintf(stdout, "mode        %s, %d workers, zero-latency summarizer\n", rep.Mode, rep.Workers)
	fmt.Fprintf(stdout, "provider    none: streaming.Summarize runs in this process, so nothing is spent "+
		"whatever OPENAI_API_KEY says\n")
	fmt.Fprintf(stdout, "input       %s generated site log\n", formatBytes(uint64(rep.Bytes)))
	fmt.Fprintf(stdout, "records     %d\n", rep.Records)
	fmt.Fprintf(stdout, "time        %.2fs (%.0f MB/s)\n", rep.Seconds, rep.MBPerSec)
	fmt.Fprintf(stdout, "peak RSS    %s (VmHWM)\n", formatBytes(uint64(rep.PeakRSS)))
	fmt.Fprintf(stdout, "peak heap   %s (sampled every ms)\n", formatBytes(rep.PeakHeap))
	return nil
}

// measurePipeline summarizes every record of log in the given mode and measures the run.
func measurePipeline(ctx context.Context, mode string, log io.Reader, size int64, workers int) (pipelineReport,
	error) {
	rep := pipelineReport{Mode: mode, Bytes: size, Workers: workers}
	heap := streaming.StartHeapPeak(time.Millisecond)
	start := time.Now()
	count := func(s string) error { rep.Records++; rep.LastSummary = s; return nil }
	var err error
	switch mode {
	case "bounded":
		err = streaming.Pipeline(ctx, workers, streaming.Records(log), streaming.Summarize, count)
	case "slice":
		var all []string
		for rec, rerr := range streaming.Records(log) {
			if rerr != nil {
				err = rerr
				break
			}
			all = append(all, rec)
		}
		if err == nil {
			err = streaming.Pipeline(ctx, workers, sliceSeq(all), streaming.Summarize, count)
		}
	case "gather":
		var outs []string
		outs, err = streaming.Gather(ctx, workers, streaming.Records(log), streaming.Summarize)
		for _, s := range outs {
			count(s)
		}
	default:
		err = usageError{fmt.Errorf("-mode is %q; want bounded, slice or gather", mode)}
	}
	elapsed := time.Since(start)
	rep.PeakHeap = heap.Stop()
	if err != nil {
		return rep, err
	}
	rep.Seconds = elapsed.Seconds()
	rep.MBPerSec = float64(size) / 1e6 / elapsed.Seconds()
	rep.PeakRSS, err = streaming.PeakRSS()
	return rep, err
}

func sliceSeq(all []string) func(func(string, error) bool) {
	return func(yield func(string, error) bool) {
		for _, s := range all {
			if !yield(s, nil) {
				return
			}
		}
	}
}

// parseSize reads "1GiB", "256MiB", "64KB", "1000"…
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if v, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || !(v >= 0 && v*float64(mult) <= 1<<40) { // NaN fails both comparisons
		return 0, fmt.Errorf("-size %q: want a size like 1GiB, 256MiB, 64KB or 1000 (at most 1TiB)", s)
	}
	return int64(v * float64(mult)), nil
}

func formatBytes(b uint64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}
