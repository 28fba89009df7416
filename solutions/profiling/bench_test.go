package profiling

import (
	"flag"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/profiling"
)

// BenchmarkBuildPrompt is the benchmark the "benchmark" exercise asks for: a fixed, realistic input made
// outside the loop, allocations reported, the code under test alone inside the loop.
func BenchmarkBuildPrompt(b *testing.B) {
	log := profiling.SampleLog(100, 1)
	profiling.CountTokens("") // loads the tokenizer once, before the measured loop
	b.ReportAllocs()
	for b.Loop() {
		BuildPrompt(log, profiling.CountTokens, 2000)
	}
}

// version picks what BenchmarkPrompt measures, so the same benchmark name can be run before and after a change
// and the two outputs compared with benchstat:
//
//	go test ./solutions/profiling -run '^$' -bench '^BenchmarkPrompt$' -count 6 -args -version=slow > old.txt
//	go test ./solutions/profiling -run '^$' -bench '^BenchmarkPrompt$' -count 6 -args -version=fast > new.txt
//	go tool benchstat old.txt new.txt
var version = flag.String("version", "fast", "BuildPrompt version BenchmarkPrompt measures: slow or fast")

// BenchmarkPrompt measures the slow or the fast prompt builder (see version) with the real tokenizer.
func BenchmarkPrompt(b *testing.B) {
	build := BuildPrompt
	switch *version {
	case "fast":
	case "slow":
		build = profiling.SlowBuildPrompt
	default:
		b.Fatalf("-version=%q: want slow or fast", *version)
	}
	log := profiling.SampleLog(100, 1)
	profiling.CountTokens("")
	b.ReportAllocs()
	for b.Loop() {
		build(log, profiling.CountTokens, 2000)
	}
}

// BenchmarkSpeedup runs both versions on the same input, one after the other in each iteration, and reports
// how many times faster the fast one is and how many times fewer allocations it makes, as custom metrics.
// (Nesting testing.Benchmark inside a benchmark would deadlock: benchmarks run one at a time.)
func BenchmarkSpeedup(b *testing.B) {
	log := profiling.SampleLog(100, 1)
	slowAllocs := testing.AllocsPerRun(3, func() { profiling.SlowBuildPrompt(log, profiling.CountTokens, 2000) })
	fastAllocs := testing.AllocsPerRun(3, func() { BuildPrompt(log, profiling.CountTokens, 2000) })
	var slow, fast time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		profiling.SlowBuildPrompt(log, profiling.CountTokens, 2000)
		t1 := time.Now()
		BuildPrompt(log, profiling.CountTokens, 2000)
		slow, fast = slow+t1.Sub(t0), fast+time.Since(t1)
	}
	b.ReportMetric(float64(slow)/float64(fast), "x-faster")
	b.ReportMetric(slowAllocs/fastAllocs, "x-fewer-allocs")
}
