// Package pulsetest is the capstone's suite: Run checks an assembly of ProjectPulse (lessons/pulse) against the
// naive version, on the in-process mock, in virtual time.
package pulsetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/lessons/llm"
	"github.com/llmperf/workbook/lessons/pulse"
	"github.com/llmperf/workbook/lessons/suite"
	"github.com/llmperf/workbook/lessons/todo"
	"github.com/llmperf/workbook/mock"
)

// Run checks impl: the exercise "pulse", as named in kit/course/info.toml.
func Run(t *testing.T, impl pulse.Impl) {
	suite.Exercise(t, "pulse", func(t *testing.T) {
		if ready(t, impl) {
			suite.RunChecks(t, Checks(impl.Summarize))
		}
	})
}

// ready tries every week exercise the capstone is built from, then the capstone itself once on an empty log, in
// this goroutine: a stub stops here, named, instead of in one of the run's goroutines.
func ready(t *testing.T, impl pulse.Impl) bool {
	t.Helper()
	var needs []string
	for _, p := range impl.Parts {
		if name := stub(p.Try); name != "" && !slices.Contains(needs, name) {
			needs = append(needs, name)
		}
	}
	if len(needs) > 0 {
		t.Attr(todo.AttrKey, todo.AttrValue)
		t.Attr(todo.AttrNeeds, strings.Join(needs, ","))
		t.Fatal(todo.Needs("pulse", needs))
		return false
	}
	tokens.Count(llm.DefaultModel, "warm up") // the tokenizer's tables load once, before any heap is measured
	srv := mock.New(mock.Config{})
	if err := impl.Summarize(t.Context(), pulse.MockUpstream(srv), strings.NewReader(""), defaultConfig(),
		func(string) error { return nil }); err != nil {
		t.Errorf("an empty log: %v; want nil", err)
	}
	return true
}

// stub calls try and returns the name of the exercise whose stub stopped it, or "".
func stub(try func()) (name string) {
	defer func() {
		if r := recover(); r != nil {
			n, ok := r.(todo.NotDone)
			if !ok {
				panic(r)
			}
			name = n.Name
		}
	}()
	try()
	return ""
}
