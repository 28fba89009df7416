package caching

import (
	"testing"

	"github.com/llmperf/workbook/lessons/todo"
)

// Run checks impl: one subtest per exercise, named as in exercises/info.toml, each made of named checks.
func Run(t *testing.T, impl Impl) {
	todo.Run(t, "lru", func(t *testing.T) {
		smokeLRU(impl.NewLRU)
		runChecks(t, LRUChecks(impl.NewLRU))
	})
	todo.Run(t, "ttl", func(t *testing.T) {
		smokeTTL(impl.NewTTL)
		runChecks(t, TTLChecks(impl.NewTTL))
	})
	todo.Run(t, "client", func(t *testing.T) {
		smokeClient(impl.NewClient)
		runChecks(t, ClientChecks(impl.NewClient))
	})
	todo.Run(t, "persistent", func(t *testing.T) {
		smokeStore(t, impl.OpenStore)
		runChecks(t, StoreChecks(impl.OpenStore))
	})
	todo.Run(t, "embeddings", func(t *testing.T) {
		smokeEmbeddings(impl.NewEmbeddings)
		runChecks(t, EmbeddingChecks(impl.NewEmbeddings))
	})
}

// A Check is one property of an exercise. Run reports a nil error as a pass; t is there for t.TempDir and
// synctest bubbles, not for reporting.
type Check struct {
	Name string
	Run  func(t *testing.T) error
	// Stop means: when this check fails, the checks after it are skipped (they would crash or hang).
	Stop bool
}

// runChecks runs every check as a subtest under todo.Catch. Run has already called each method of the
// exercise once in the exercise's own goroutine (the smoke functions), so a stub's stop is reported once.
func runChecks(t *testing.T, checks []Check) {
	for _, c := range checks {
		ok := t.Run(c.Name, func(t *testing.T) {
			defer todo.Catch(t)
			if err := c.Run(t); err != nil {
				t.Error(err)
			}
		})
		if !ok && c.Stop {
			t.Fatalf("skipping the remaining checks: %q failed", c.Name)
		}
	}
}

// FirstFailure runs checks in order and returns the first error, for tests of the suite itself: a broken
// implementation must produce one.
func FirstFailure(t *testing.T, checks []Check) (name string, err error) {
	for _, c := range checks {
		func() {
			defer func() {
				if r := recover(); r != nil && err == nil {
					name, err = c.Name, panicError{r}
				}
			}()
			if e := c.Run(t); e != nil && err == nil {
				name, err = c.Name, e
			}
		}()
		if err != nil {
			return name, err
		}
	}
	return "", nil
}

type panicError struct{ v any }

func (p panicError) Error() string { return "panic: " + stringOf(p.v) }

func stringOf(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "(non-string panic value)"
}
