package profiling

import (
	"flag"
	"testing"

	"github.com/llmperf/workbook/lessons/profiling"
)

// BenchmarkBuildPrompt is the benchmark the "benchmark" exercise asks for: a fixed, realistic input made
// outside the loop, allocations reported, the code under test alone inside the loop.
func BenchmarkBuildPrompt(b *testing.B) {
	log := profiling.SampleLog(100, 1)
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
	b.ReportAllocs()
	for b.Loop() {
		build(log, profiling.CountTokens, 2000)
	}
}

// BenchmarkSpeedup runs both versions on the same input and reports how many times faster and how many times
// fewer allocations the fast one makes, as custom metrics.
func BenchmarkSpeedup(b *testing.B) {
	log := profiling.SampleLog(100, 1)
	measure := func(build profiling.BuildFunc) testing.BenchmarkResult {
		return testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				build(log, profiling.CountTokens, 2000)
			}
		})
	}
	b.ReportAllocs()
	for b.Loop() {
		slow, fast := measure(profiling.SlowBuildPrompt), measure(BuildPrompt)
		b.ReportMetric(float64(slow.NsPerOp())/float64(fast.NsPerOp()), "x-faster")
		b.ReportMetric(float64(slow.AllocsPerOp())/float64(max(fast.AllocsPerOp(), 1)), "x-fewer-allocs")
	}
}
