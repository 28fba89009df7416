package caching

import (
	"testing"

	"github.com/llmperf/workbook/lessons/caching/cachingtest"
)

// TestCaching runs week 2's suite on your code: go test ./exercises/caching, or one exercise with
// go run ./cmd/workbook check lru. No need to edit.
func TestCaching(t *testing.T) { cachingtest.Run(t, Impl()) }
