package profiling

import (
	"testing"

	"github.com/llmperf/workbook/lessons/profiling/profilingtest"
)

// TestProfiling runs week 1's suite on your code: go test ./exercises/profiling, or one exercise with
// go run ./cmd/workbook check benchmark. No need to edit.
func TestProfiling(t *testing.T) {
	profilingtest.Run(t, Impl(), BenchmarkBuildPrompt) // BenchmarkBuildPrompt is yours, in bench_test.go
}
