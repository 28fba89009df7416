package check_test

import (
	"os"

	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/lessons/check"
)

func ExampleFprint() {
	lru, _ := course.Lookup("lru")
	check.Fprint(os.Stdout, check.Result{Exercise: lru, Dir: lru.Dir(), Status: check.Done}, nil)
	check.Fprint(os.Stdout, check.Result{
		Exercise: lru, Dir: lru.Dir(), Status: check.NoCompile,
		Output: "./lru.go:12:2: undefined: list",
	}, nil)
	// Output:
	// lru: done ✓
	// lru: your code in exercises/caching does not compile yet:
	//     ./lru.go:12:2: undefined: list
}
