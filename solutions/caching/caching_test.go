package caching

import (
	"testing"

	"github.com/llmperf/workbook/lessons/caching/cachingtest"
)

// TestCaching runs the week's suite on the reference solution.
func TestCaching(t *testing.T) { cachingtest.Run(t, Impl()) }
