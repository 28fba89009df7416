package suite

import (
	"fmt"
	"testing"
)

// A Check is one property of an exercise. Run returns why the implementation lacks it, or nil; t is there for
// t.TempDir and bubbles, not for reporting.
type Check struct {
	Name string
	Run  func(t *testing.T) error
	// Stop means: when this check fails, the checks after it are skipped (they would crash or hang).
	Stop bool
}

// RunChecks runs every check as a subtest under Catch and reports a check's error as that subtest's failure,
// starting with the check's name: "evicts the least recently used: Get(b) = 2, want a miss".
// Suites call each entry point of the exercise once in the test's own goroutine first, so that a stub's stop
// is reported once, before any check runs.
func RunChecks(t *testing.T, checks []Check) {
	t.Helper()
	for _, c := range checks {
		ok := t.Run(c.Name, func(t *testing.T) {
			defer Catch(t)
			if err := c.Run(t); err != nil {
				t.Errorf("%s: %v", c.Name, err)
			}
		})
		if !ok && c.Stop {
			t.Fatalf("skipping the remaining checks: %q failed", c.Name)
		}
	}
}

// FirstFailure runs checks in order and returns the first one that fails, with its error; a panic counts as a
// failure. Tests of a suite use it: a deliberately broken implementation must produce one.
func FirstFailure(t *testing.T, checks []Check) (name string, err error) {
	for _, c := range checks {
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			err = c.Run(t)
		}()
		if err != nil {
			return c.Name, err
		}
	}
	return "", nil
}
