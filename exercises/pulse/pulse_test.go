package pulse

import (
	"testing"

	"github.com/llmperf/workbook/lessons/pulse/pulsetest"
)

// TestPulse runs the capstone's suite on your code: go test ./exercises/pulse, or go run ./cmd/workbook check
// pulse. No need to edit.
func TestPulse(t *testing.T) { pulsetest.Run(t, Impl()) }
