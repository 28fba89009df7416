package profiling

import (
	"testing"

	lessonsprofiling "github.com/llmperf/workbook/lessons/profiling"
)

// TestProfiling runs the week's suite on this package. No need to edit.
func TestProfiling(t *testing.T) {
	impl := Impl()
	impl.Benchmark = BenchmarkBuildPrompt // written in bench_test.go
	lessonsprofiling.Run(t, impl)
}
