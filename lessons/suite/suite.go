// Package suite is the toolkit every week's suite is built from, in the manner of testing/fstest.TestFS: a suite
// is an exported function that takes a *testing.T and an implementation, and runs the same checks on the
// learner's stub and on the reference solution.
//
// It gives each exercise its own subtest (Exercise), turns a stub's todo.Exercise stop into one "not done yet"
// line (Catch) that the check runner reads as a typed attribute rather than by matching text, runs named checks
// (Check, RunChecks), and runs code in a testing/synctest bubble that doubles as the leak detector (InBubble,
// Bubble). Failure messages start with what is wrong; where it happened comes after.
package suite

import (
	"testing"

	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/lessons/todo"
)

// Exercise runs one exercise's part of a suite as the subtest named after the exercise, under Catch. It reports
// whether the subtest passed.
func Exercise(t *testing.T, name string, f func(t *testing.T)) bool {
	t.Helper()
	if _, ok := course.Lookup(name); !ok {
		t.Errorf("the suite runs exercise %q, which kit/course/info.toml does not list", name)
	}
	return t.Run(name, func(t *testing.T) {
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
