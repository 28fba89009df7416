// Package profiling is your work for week 1: measure the prompt builder, then make it fast without changing
// what it returns.
package profiling

import "github.com/llmperf/workbook/lessons/todo"

// BuildPrompt must return exactly what profiling.SlowBuildPrompt (in lessons/profiling) returns, for every
// log, tokenizer and budget, but without its hotspots.
//
// Work in this order:
//
//  1. Baseline: replace the todo line with `return profiling.SlowBuildPrompt(log, count, budget)`, write the
//     benchmark in bench_test.go, and keep its output: that is your "before".
//  2. Profile before you change anything:
//     go test ./exercises/profiling -run '^$' -bench BuildPrompt -cpuprofile cpu.out -memprofile mem.out
//     go tool pprof -top cpu.out
//     go tool pprof -sample_index=alloc_space -top mem.out
//  3. Copy SlowBuildPrompt's body here and fix what the profiles point at, one change at a time, running
//     `go test ./exercises/profiling` after each.
//
// The suite compares your output with SlowBuildPrompt's on many inputs (including \r, \f and \v inside records,
// Unicode spaces, and phone numbers of exactly nine characters), checks that each record's tokens are counted
// once (not again for every record kept so far), and that you allocate at most an eighth of what the slow
// version allocates.
func BuildPrompt(log string, count func(string) int, budget int) string {
	todo.Exercise("hotspots") // delete this line: start from SlowBuildPrompt, then make it fast
	return ""
}
