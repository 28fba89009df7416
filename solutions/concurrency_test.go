package solutions_test

import (
	"testing"

	lessonsconcurrency "github.com/llmperf/workbook/lessons/concurrency"
	solconcurrency "github.com/llmperf/workbook/solutions/concurrency"
)

// TestConcurrency runs week 4's suite on the reference solution.
func TestConcurrency(t *testing.T) { lessonsconcurrency.Run(t, solconcurrency.Impl()) }
