package concurrency

import (
	"testing"

	"github.com/llmperf/workbook/lessons/concurrency/concurrencytest"
)

// TestConcurrency runs the week's suite on the reference solution.
func TestConcurrency(t *testing.T) { concurrencytest.Run(t, Impl()) }
