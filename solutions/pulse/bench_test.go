package pulse

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/llmperf/workbook/mock"
)

// BenchmarkModes runs each mode over a 1 MiB log with a zero-latency model: the cost of the program itself,
// per record, with its allocations. (Run in one process, both modes share the runtime's settings; the command
// line's -bench runs each in its own, as the capstone is benchmarked.)
func BenchmarkModes(b *testing.B) {
	log := siteLog(b, 1<<20)
	for _, mode := range []string{ModeNaive, ModeOptimized} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(log)))
			var res Result
			for b.Loop() {
				var err error
				res, err = Run(context.Background(), mode, NewInstant(), bytes.NewReader(log), Options{})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(res.Records), "ns/record")
			b.ReportMetric(float64(res.PeakHeap)/(1<<20), "peak-heap-MiB")
		})
	}
}

// BenchmarkWithLatency runs both modes over a small log with a model that takes a few milliseconds per call and
// reports how many times faster the optimized mode's wall time is.
func BenchmarkWithLatency(b *testing.B) {
	log := siteLog(b, 16<<10)
	cfg := mock.Config{TTFT: 2 * time.Millisecond, InterToken: 20 * time.Microsecond, Seed: 1}
	var naive, opt time.Duration
	for b.Loop() {
		for _, mode := range []string{ModeNaive, ModeOptimized} {
			res, err := Run(context.Background(), mode, NewMock(cfg), bytes.NewReader(log), Options{Workers: 8})
			if err != nil {
				b.Fatal(err)
			}
			if mode == ModeNaive {
				naive += res.Wall
			} else {
				opt += res.Wall
			}
		}
	}
	b.ReportMetric(float64(naive)/float64(opt), "naive/optimized")
}
