package profilingtest

import (
	"flag"
	"fmt"
	"testing"

	"github.com/llmperf/workbook/lessons/profiling"
	"github.com/llmperf/workbook/lessons/todo"
)

// The suite runs a learner's benchmark twice with b.N fixed (-benchtime=Nx), so the check takes the same work
// on every machine, and compares the two runs: the tokenizer calls (BuildPrompt at work) must grow with b.N,
// the SampleLog calls (building the input) must not.
const (
	fewIterations  = 2
	manyIterations = 6
)

func testBenchmark(t *testing.T, bench func(b *testing.B)) {
	if bench == nil {
		t.Fatal("Impl.Benchmark is nil: profiling_test.go should set impl.Benchmark = BenchmarkBuildPrompt")
	}
	if err := checkBenchmark(bench); err != nil {
		t.Error(err)
	}
}

// checkBenchmark checks that bench runs and calls the prompt builder (seen through CountTokens) inside its
// loop: going from fewIterations to manyIterations must add at least one CountTokens call per extra
// iteration. The benchmark's own todo stop is re-raised in the caller's goroutine, where the suite reports it;
// a stop in the code it measures becomes an error that says how to get a baseline first.
func checkBenchmark(bench func(b *testing.B)) error {
	fewN, fewCalls, fewLogs, stop := runFixed(bench, fewIterations)
	if stop != nil {
		if n, ok := stop.(todo.NotDone); ok && n.Name != "benchmark" {
			return fmt.Errorf("the benchmark calls code that still stops at todo.Exercise(%q): for a baseline, "+
				"make BuildPrompt return profiling.SlowBuildPrompt(log, count, budget) for now", n.Name)
		}
		panic(stop)
	}
	manyN, manyCalls, manyLogs, stop := runFixed(bench, manyIterations)
	if stop != nil {
		panic(stop)
	}
	if fewN == 0 || manyN == 0 {
		return fmt.Errorf("the benchmark did not run (b.N is 0): did it call b.Fatal or b.Skip?")
	}
	if extra := manyN - fewN; extra > 0 && manyCalls-fewCalls < int64(extra) {
		return fmt.Errorf("with b.N=%d the benchmark called profiling.CountTokens %d times, with b.N=%d %d times: "+
			"call BuildPrompt(log, profiling.CountTokens, budget) on a non-empty log inside the b.Loop() loop, "+
			"and build the log before the loop", fewN, fewCalls, manyN, manyCalls)
	}
	if extra := manyN - fewN; extra > 0 && manyLogs-fewLogs >= int64(extra) {
		return fmt.Errorf("with b.N=%d the benchmark called profiling.SampleLog %d times, with b.N=%d %d times: "+
			"it builds its input inside the measured loop, so it measures SampleLog too; build the log once, "+
			"before the loop", fewN, fewLogs, manyN, manyLogs)
	}
	return nil
}

// runFixed runs bench with b.N = n and returns the b.N it reported, the CountTokens and SampleLog calls it
// made, and the value it panicked with, if it did.
func runFixed(bench func(b *testing.B), n int) (N int, calls, logs int64, stop any) {
	if f := flag.Lookup("test.benchtime"); f != nil {
		old := f.Value.String()
		if err := f.Value.Set(fmt.Sprintf("%dx", n)); err == nil {
			defer f.Value.Set(old)
		}
	}
	before, logsBefore := profiling.TokenCalls(), profiling.SampleLogCalls()
	r := testing.Benchmark(func(b *testing.B) {
		defer func() {
			if p := recover(); p != nil {
				stop = p
			}
		}()
		bench(b)
	})
	return r.N, profiling.TokenCalls() - before, profiling.SampleLogCalls() - logsBefore, stop
}
