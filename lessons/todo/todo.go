// Package todo marks the code a learner has to write.
//
// A stub calls Exercise where the answer goes; it stops the caller with a NotDone value. Suites run each
// exercise under lessons/suite.Catch, which turns that stop into one readable line naming the notebook section
// to read and the hint to ask for, instead of a panic and a stack trace.
//
//	func New[K comparable, V any](capacity int) *LRU[K, V] {
//		todo.Exercise("lru") // delete this line and write the cache
//		return nil
//	}
package todo

import (
	"fmt"

	"github.com/llmperf/workbook/kit/course"
)

// AttrKey and AttrValue are the test attribute (testing.T.Attr; an "attr" event in go test -json) by which a suite marks an
// exercise whose stub still stops at Exercise, so that a check runner reads its state as a value, not by
// matching the text of a message.
const (
	AttrKey   = "workbook.status"
	AttrValue = "not-done"
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
	e, ok := course.Lookup(name)
	if !ok {
		return fmt.Sprintf("exercise %q is not done yet (and is missing from kit/course/info.toml)", name)
	}
	return fmt.Sprintf("exercise %q is not done yet: read %q in %s, then write your code in %s "+
		"(stuck? go run ./cmd/workbook hint %s)", e.Name, e.Section, e.Notebook, e.Dir(), e.Name)
}
