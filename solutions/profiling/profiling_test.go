package profiling

import (
	"testing"

	"github.com/llmperf/workbook/lessons/profiling/profilingtest"
)

// TestProfiling runs week 1's suite on the reference solution and its benchmark (bench_test.go).
func TestProfiling(t *testing.T) { profilingtest.Run(t, Impl(), BenchmarkBuildPrompt) }
