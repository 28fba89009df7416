package scale

import (
	"testing"

	"github.com/llmperf/workbook/lessons/scale/scaletest"
)

// TestScale runs week 7's suite on your code: go test ./exercises/scale, or go run ./cmd/workbook check dedup.
// No need to edit.
func TestScale(t *testing.T) { scaletest.Run(t, Impl()) }
