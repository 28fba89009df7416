package profilingtest

import (
	"testing"

	"github.com/llmperf/workbook/lessons/profiling"
	"github.com/llmperf/workbook/lessons/suite"
)

// Run checks impl and the learner's benchmark: one subtest per exercise, named as in kit/course/info.toml.
func Run(t *testing.T, impl profiling.Impl, benchmark func(b *testing.B)) {
	suite.Exercise(t, "benchmark", func(t *testing.T) { testBenchmark(t, benchmark) })
	suite.Exercise(t, "hotspots", func(t *testing.T) { testHotspots(t, impl.BuildPrompt) })
}
