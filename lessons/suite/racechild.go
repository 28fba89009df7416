package suite

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/lessons/check"
	"github.com/llmperf/workbook/lessons/todo"
)

var raceChild = flag.Bool("workbook.race", true,
	"when this test binary was built without -race and the race detector is available, run the exercises' "+
		"checks in `go test -race` and report what it found")

// child holds the results of the suite run again under the race detector, by exercise name.
var child struct {
	once    sync.Once
	results map[string]check.Result
	note    string
}

// raced reports an exercise from a run of the same suite with the race detector, when this binary has none.
//
// A learner types `go test ./exercises/caching`, without -race; but a cache without a lock passes a
// concurrent check most of the time and crashes the binary now and then, so the verdict would change from run
// to run. The race detector makes it the same every time. So, where the race detector is available and this
// binary lacks it, the first exercise runs `go test -race` on the same package and tests (once, through
// lessons/check), and every exercise reports what that run found: pass, not done yet, or its failure. It
// returns false, to run the checks here, when there is nothing to replay (race already on, no race detector,
// not an exercises/ or solutions/ package, -workbook.race=false, or the build tag workbook_inprocess).
func raced(t *testing.T, name string) bool {
	if raceEnabled || inProcess || !*raceChild {
		return false
	}
	child.once.Do(func() { child.results, child.note = runRaced() })
	if child.note != "" {
		t.Log(child.note)
	}
	r, ok := child.results[name]
	if !ok || r.Status == check.NotRun && !strings.HasPrefix(r.Output, "the suite skipped it") {
		return false
	}
	switch r.Status {
	case check.Done:
	case check.NotDone:
		t.Attr(todo.AttrKey, todo.AttrValue)
		if len(r.Needs) > 0 {
			t.Attr(todo.AttrNeeds, strings.Join(r.Needs, ","))
			t.Fatal(todo.Needs(name, r.Needs))
		}
		t.Fatal(todo.Message(name))
	case check.NotRun:
		t.Skip(r.Output)
	default:
		t.Fatal(r.Output)
	}
	return true
}

// runRaced runs this package's selected tests with -race and returns the results by exercise, or a note
// saying why it did not.
func runRaced() (map[string]check.Result, string) {
	ctx := context.Background()
	if ok, note := check.Race(ctx); !ok {
		return nil, note
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, ""
	}
	root, err := check.FindRoot(wd)
	if err != nil {
		return nil, ""
	}
	rel, err := filepath.Rel(root, wd)
	if err != nil {
		return nil, ""
	}
	base, topic, ok := strings.Cut(filepath.ToSlash(rel), "/")
	if !ok || strings.Contains(topic, "/") || base != "exercises" && base != "solutions" {
		return nil, ""
	}
	var list []course.Exercise
	for _, e := range course.All() {
		if e.Topic == topic {
			list = append(list, e)
		}
	}
	if len(list) == 0 {
		return nil, ""
	}
	runner := check.Runner{Root: root, Base: base, Pattern: "^" + list[0].SuiteTest() + "$",
		TestArgs: []string{"-workbook.stuck=" + stuckAfter.String()}}
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		runner.Pattern = f.Value.String()
	}
	if f := flag.Lookup("test.skip"); f != nil && f.Value.String() != "" {
		runner.Args = append(runner.Args, "-skip", f.Value.String())
	}
	results, err := runner.Run(ctx, list...)
	if err != nil {
		return nil, "could not run the checks with the race detector (" + err.Error() + "): running them here"
	}
	byName := make(map[string]check.Result, len(results))
	for _, r := range results {
		byName[r.Exercise.Name] = r
	}
	return byName, ""
}
