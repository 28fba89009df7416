// Package profiling is week 1 of the course: find where the time goes before changing anything.
//
// It holds a deliberately slow prompt builder, SlowBuildPrompt, with the hotspots real LLM apps grow (a regexp
// compiled on every call, strings built with += in a loop, JSON through map[string]any, fmt.Sprintf in the hot
// loop, and token counts recomputed from scratch), a Pipeline that adds the model call around it, helpers to
// read pprof profiles (Top), and the week's suite: Run checks an implementation of the exercises against the
// slow reference with machine-independent bounds (identical output, tokenizer calls, allocations per run).
package profiling

import (
	"testing"

	"github.com/llmperf/workbook/lessons/todo"
)

// BuildFunc builds a prompt from a site log: one JSON line per record, stopping at the first record that would
// take the prompt's records past budget tokens, as counted by count. SlowBuildPrompt is the reference.
type BuildFunc func(log string, count func(string) int, budget int) string

// Impl is what an implementation of the week provides; exercises/profiling and solutions/profiling both build
// one.
type Impl struct {
	// Benchmark is the learner's benchmark of BuildPrompt (exercise "benchmark"). Benchmarks live in _test.go
	// files, so the package's own test wires it in; Impl() alone leaves it nil.
	Benchmark func(b *testing.B)
	// BuildPrompt is the learner's fast version of SlowBuildPrompt (exercise "hotspots").
	BuildPrompt BuildFunc
}

// Run checks impl: one subtest per exercise, named as in exercises/info.toml.
func Run(t *testing.T, impl Impl) {
	todo.Run(t, "benchmark", func(t *testing.T) { testBenchmark(t, impl.Benchmark) })
	todo.Run(t, "hotspots", func(t *testing.T) { testHotspots(t, impl.BuildPrompt) })
}
