// Package todo connects exercise stubs to the suites that check them.
//
// A stub marks the code the learner has to write with Exercise, which stops the suite with a NotDone value. The
// suite runs each exercise under Catch, which turns that stop into one readable failure naming the notebook
// section to read and the hint to ask for, instead of a panic and a stack trace.
//
//	func New[K comparable, V any](capacity int) *LRU[K, V] {
//		todo.Exercise("lru") // delete this line and write the cache
//		return nil
//	}
//
// Suites call an exercise's entry point synchronously (in the test's own goroutine) before they start any other
// goroutine, so the stop is always caught.
package todo

import (
	"fmt"
	"testing"

	"github.com/llmperf/workbook/exercises"
)

// NotDone is the panic value Exercise raises.
type NotDone struct{ Name string }

func (n NotDone) Error() string { return Message(n.Name) }

// Exercise stops the caller: the named exercise has not been written yet.
func Exercise(name string) {
	panic(NotDone{Name: name})
}

// Message is the text a learner sees for an unfinished exercise.
func Message(name string) string {
	e, ok := exercises.Lookup(name)
	if !ok {
		return fmt.Sprintf("exercise %q is not done yet (and is missing from exercises/info.toml)", name)
	}
	return fmt.Sprintf("exercise %q is not done yet: read %q in %s, then write your code in %s "+
		"(stuck? go run ./cmd/workbook hint %s)", e.Name, e.Section, e.Notebook, e.Dir(), e.Name)
}

// Catch is deferred by suites around each exercise: it reports a NotDone stop as one failure and lets every
// other panic through.
//
//	defer todo.Catch(t)
func Catch(t testing.TB) {
	r := recover()
	if r == nil {
		return
	}
	if n, ok := r.(NotDone); ok {
		t.Helper()
		t.Fatal(n.Error())
		return
	}
	panic(r)
}

// Run runs one exercise's part of a suite as the subtest named after the exercise, under Catch.
func Run(t *testing.T, name string, suite func(t *testing.T)) bool {
	if _, ok := exercises.Lookup(name); !ok {
		t.Errorf("suite runs exercise %q, which exercises/info.toml does not list", name)
	}
	return t.Run(name, func(t *testing.T) {
		defer Catch(t)
		suite(t)
	})
}
