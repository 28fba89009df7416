// Package suite is the toolkit every week's suite is built from, in the manner of testing/fstest.TestFS: a suite
// is an exported function that takes a *testing.T and an implementation, and runs the same checks on the
// learner's stub and on the reference solution.
//
// It gives each exercise its own subtest (Exercise), turns a stub's todo.Exercise stop into one "not done yet"
// line (Catch) that the check runner reads as a typed attribute rather than by matching text, runs named checks
// (Check, RunChecks), and runs code in a testing/synctest bubble that doubles as the leak detector (InBubble,
// Bubble). A watchdog reports an exercise that hangs as a deadlock naming it, and a test binary built without
// -race has its exercises checked by `go test -race` where the race detector exists, so a data race fails the
// same way on every run. Failure messages start with what is wrong; where it happened comes after.
package suite

import (
	"testing"

	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/lessons/todo"
)

// Exercise runs one exercise's part of a suite as the subtest named after the exercise, under Catch and a
// watchdog that reports a hang as a deadlock of this exercise within seconds (StuckAfter). In a test binary
// built without -race, where the race detector is available, it reports what `go test -race` found instead of
// running f here (see raced). It reports whether the subtest passed.
func Exercise(t *testing.T, name string, f func(t *testing.T)) bool {
	t.Helper()
	if _, ok := course.Lookup(name); !ok {
		t.Errorf("the suite runs exercise %q, which kit/course/info.toml does not list", name)
	}
	return t.Run(name, func(t *testing.T) {
		if raced(t, name) {
			return
		}
		defer watch(name, *stuckAfter)()
		defer Catch(t)
		f(t)
	})
}

// Catch is deferred around code that may call an unfinished stub: it reports a todo.NotDone stop as one failure
// (marked with the todo.AttrKey attribute) and lets every other panic through.
//
//	defer suite.Catch(t)
func Catch(t testing.TB) {
	r := recover()
	if r == nil {
		return
	}
	n, ok := r.(todo.NotDone)
	if !ok {
		panic(r)
	}
	t.Helper()
	t.Attr(todo.AttrKey, todo.AttrValue)
	t.Fatal(n.Error())
}
