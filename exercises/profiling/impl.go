package profiling

import "github.com/llmperf/workbook/lessons/profiling"

// Impl connects your code to the suite; no need to edit. The benchmark is wired in profiling_test.go, because
// functions in _test.go files cannot be named from here.
func Impl() profiling.Impl {
	return profiling.Impl{BuildPrompt: BuildPrompt}
}
