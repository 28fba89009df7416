package concurrency

import (
	"testing"

	"github.com/llmperf/workbook/lessons/concurrency/concurrencytest"
)

// TestConcurrency runs week 4's suite on your code: go test ./exercises/concurrency, or one exercise with
// go run ./cmd/workbook check semaphore. No need to edit.
func TestConcurrency(t *testing.T) { concurrencytest.Run(t, Impl()) }
