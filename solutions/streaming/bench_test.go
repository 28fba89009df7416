package streaming_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/solutions/streaming"
)

// BenchmarkScan compares reading records with a plain bufio.Scanner line count over the same bytes: the price of
// assembling records on top of reading lines. Compare the MB/s columns.
func BenchmarkScan(b *testing.B) {
	// 32 MiB of site log in memory, so that scanning is measured, not generating.
	in, err := io.ReadAll(data.SiteLog(32<<20, 1))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("lines=bufio.Scanner", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			sc := bufio.NewScanner(bytes.NewReader(in))
			n := 0
			for sc.Scan() {
				n++
			}
			if sc.Err() != nil || n == 0 {
				b.Fatal(n, sc.Err())
			}
		}
	})
	b.Run("records=Records", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			countRecords(b, streaming.Records(bytes.NewReader(in)))
		}
	})
	b.Run("records=ScanRecords", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			countRecords(b, streaming.ScanRecords(bytes.NewReader(in), 1<<20))
		}
	})
}

func countRecords(b *testing.B, seq func(func(string, error) bool)) {
	n := 0
	for _, err := range seq {
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	if n == 0 {
		b.Fatal("no records")
	}
}

// peakTarget is the week's memory target for the bounded pipeline, whatever the input's size.
const peakTarget = 32 << 20

// BenchmarkPipelinePeak runs the bounded pipeline over generated logs of 256 MiB and 1 GiB with the zero-latency
// summarizer and reports the peak heap (sampled) and the process's peak RSS so far (VmHWM: it includes what
// earlier benchmarks in the same process used, so run this one alone for a clean figure:
// go test ./solutions/streaming -run XXX -bench PipelinePeak -benchtime 1x). It fails when the peak heap passes
// 32 MiB: memory must not grow with the input.
func BenchmarkPipelinePeak(b *testing.B) {
	for _, size := range []int64{256 << 20, 1 << 30} {
		b.Run(fmt.Sprintf("size=%dMiB", size>>20), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				heap := streaming.StartHeapPeak(time.Millisecond)
				n := 0
				err := streaming.Pipeline(context.Background(), 8, streaming.Records(data.SiteLog(size, 1)),
					streaming.Summarize, func(string) error { n++; return nil })
				peak = max(peak, heap.Stop())
				if err != nil || n == 0 {
					b.Fatal(n, err)
				}
			}
			rss, err := streaming.PeakRSS()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
			if peak > peakTarget {
				b.Errorf("peak heap %.1f MiB passes the %d MiB target", float64(peak)/(1<<20), peakTarget>>20)
			}
		})
	}
}

// BenchmarkGatherVsPipeline runs the bounded pipeline and the seed's gather orchestrator over the same 16 MiB
// log and reports each one's peak heap and their ratio. The pipeline goes first: after gather, the runtime keeps
// a larger heap goal for a while, which would inflate the pipeline's figure.
func BenchmarkGatherVsPipeline(b *testing.B) {
	const size = 16 << 20
	var peaks [2]uint64
	for i, name := range []string{"pipeline", "gather"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				heap := streaming.StartHeapPeak(time.Millisecond)
				in := streaming.Records(data.SiteLog(size, 1))
				var err error
				if name == "gather" {
					_, err = streaming.Gather(context.Background(), 8, in, streaming.Summarize)
				} else {
					err = streaming.Pipeline(context.Background(), 8, in, streaming.Summarize,
						func(string) error { return nil })
				}
				peaks[i] = max(peaks[i], heap.Stop())
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peaks[i])/(1<<20), "peak-heap-MiB")
			if i == 1 && peaks[0] > 0 {
				b.ReportMetric(float64(peaks[1])/float64(peaks[0]), "gather/pipeline-heap")
			}
		})
	}
}
