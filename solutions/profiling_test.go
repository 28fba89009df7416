package solutions_test

import (
	"testing"

	lessonsprofiling "github.com/llmperf/workbook/lessons/profiling"
	solprofiling "github.com/llmperf/workbook/solutions/profiling"
)

// TestProfiling runs week 1's suite on the reference solution. The solution's own BenchmarkBuildPrompt lives in
// a _test.go file this package cannot see, so an equivalent one is wired here.
func TestProfiling(t *testing.T) {
	impl := solprofiling.Impl()
	impl.Benchmark = func(b *testing.B) {
		log := lessonsprofiling.SampleLog(100, 1)
		lessonsprofiling.CountTokens("")
		b.ReportAllocs()
		for b.Loop() {
			solprofiling.BuildPrompt(log, lessonsprofiling.CountTokens, 2000)
		}
	}
	lessonsprofiling.Run(t, impl)
}
