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
	"strings"

	"github.com/llmperf/workbook/kit/course"
)

// AttrKey and AttrValue are the test attribute (testing.T.Attr; an "attr" event in go test -json) by which a suite marks an
// exercise whose stub still stops at Exercise, so that a check runner reads its state as a value, not by
// matching the text of a message.
const (
	AttrKey   = "workbook.status"
	AttrValue = "not-done"
)

// AttrNeeds is the attribute by which a suite says which other exercises, still stubs, keep an exercise from
// running (the capstone is built from the weeks' exercises): their names, separated by commas.
const AttrNeeds = "workbook.needs"

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

// Needs is the text a learner sees for an exercise that cannot run yet because the exercises it is built from,
// needs, are not done: which ones, where each is taught, and where this one is.
func Needs(name string, needs []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "exercise %q is not done yet: it is built from your ", name)
	for i, n := range needs {
		e, ok := course.Lookup(n)
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
		if ok && (i+1 == len(needs) || nextNotebook(needs[i+1]) != e.Notebook) {
			fmt.Fprintf(&b, " (%s)", e.Notebook) // after the last of each week's
		}
	}
	b.WriteString(", which are not done yet: finish them first (go run ./cmd/workbook progress)")
	if e, ok := course.Lookup(name); ok {
		fmt.Fprintf(&b, ", then read %q in %s and write your code in %s", e.Section, e.Notebook, e.Dir())
	}
	return b.String()
}

func nextNotebook(name string) string {
	e, _ := course.Lookup(name)
	return e.Notebook
}
