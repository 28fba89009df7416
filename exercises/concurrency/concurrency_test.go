package concurrency

import (
	"testing"

	lessons "github.com/llmperf/workbook/lessons/concurrency"
)

// TestConcurrency runs week 4's suite on your code: go test ./exercises/concurrency, or one exercise with
// go run ./cmd/workbook check semaphore.
func TestConcurrency(t *testing.T) { lessons.Run(t, Impl()) }
