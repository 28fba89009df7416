package profiling

import (
	"testing"

	"github.com/llmperf/workbook/lessons/todo"
)

// BenchmarkBuildPrompt measures your BuildPrompt. Write it so its numbers mean something:
//   - do the set-up once, before the loop: a realistic log such as profiling.SampleLog(100, 1), and one call
//     of profiling.CountTokens("") so the tokenizer's one-time loading is not measured;
//   - call b.ReportAllocs(), so allocations per call are printed beside the time;
//   - inside `for b.Loop() { ... }` call BuildPrompt(log, profiling.CountTokens, 2000) and nothing else.
//
// Run it with: go test ./exercises/profiling -run '^$' -bench BuildPrompt
//
// The suite runs it twice with b.N fixed at 2 and 6 and checks that it runs, that the CountTokens calls grow
// with b.N (the call is inside the loop) and that the SampleLog calls do not (the input is built before it).
func BenchmarkBuildPrompt(b *testing.B) {
	todo.Exercise("benchmark") // delete this line and write the benchmark
}
