package concurrency

import (
	"testing"

	lessons "github.com/llmperf/workbook/lessons/concurrency"
)

func TestConcurrency(t *testing.T) { lessons.Run(t, Impl()) }
